// zlib's gzip reader (gzopen/gzread) for the gzipped IDX files of MNIST and Fashion-MNIST.
#include <zlib.h>
