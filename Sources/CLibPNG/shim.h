// libpng's simplified API (png_image_*): every PNG flavour in, the 8-bit format we ask for out,
// errors in image.message without setjmp.
#include <png.h>
