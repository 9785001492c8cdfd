// One operator through TFLM's reference kernels (tensorflow/lite/kernels/internal/reference),
// called as TFLM's portable kernels (tensorflow/lite/micro/kernels/*.cc) call them for int8
// tensors. Build against a checkout: measure.sh reference.
#include "tensorflow/lite/kernels/internal/reference/integer_ops/add.h"
#include "tensorflow/lite/kernels/internal/reference/integer_ops/conv.h"
#include "tensorflow/lite/kernels/internal/reference/integer_ops/depthwise_conv.h"
#include "tensorflow/lite/kernels/internal/reference/integer_ops/fully_connected.h"
#include "tensorflow/lite/kernels/internal/reference/integer_ops/pooling.h"
#include "tensorflow/lite/kernels/internal/reference/softmax.h"

extern "C" {
#include "harness.h"
}

using tflite::RuntimeShape;

// TFLM's log hook, reached only from a failed TFLITE_DCHECK (the checks stay compiled in, as in
// TFLM's own builds, and their cost is part of the count).
void MicroPrintf(const char *format, ...) {}

// TFLM's RuntimeShape has no initializer-list constructor; it is built from a dims array.
#define SHAPE(name, ...)                      \
  const int32_t name##_dims[] = {__VA_ARGS__}; \
  const RuntimeShape name(sizeof name##_dims / sizeof(int32_t), name##_dims)

extern "C" void library_prepare(const layer_t *l, layer_data_t *d) { d->scratch_bytes = 0; }

extern "C" void library_run(const layer_t *l, const layer_data_t *d) {
  SHAPE(in, 1, l->in_h, l->in_w, l->in_c);
  SHAPE(out, 1, l->out_h, l->out_w, l->out_c);
  SHAPE(bias, l->out_c);
  switch (l->kind) {
  case L_CONV: {
    tflite::ConvParams p = {};
    p.padding_values.width = l->pad_w;
    p.padding_values.height = l->pad_h;
    p.stride_width = l->s_w;
    p.stride_height = l->s_h;
    p.dilation_width_factor = p.dilation_height_factor = 1;
    p.input_offset = d->input_offset;
    p.output_offset = d->output_offset;
    p.quantized_activation_min = d->act_min;
    p.quantized_activation_max = d->act_max;
    SHAPE(filter, l->out_c, l->k_h, l->k_w, l->in_c);
    tflite::reference_integer_ops::ConvPerChannel(
        p, d->multiplier, d->shift, in, d->input, filter,
        d->filter, bias, d->bias, out, d->output);
    break;
  }
  case L_DWCONV: {
    tflite::DepthwiseParams p = {};
    p.padding_values.width = l->pad_w;
    p.padding_values.height = l->pad_h;
    p.stride_width = l->s_w;
    p.stride_height = l->s_h;
    p.dilation_width_factor = p.dilation_height_factor = 1;
    p.depth_multiplier = l->out_c / l->in_c;
    p.input_offset = d->input_offset;
    p.output_offset = d->output_offset;
    p.quantized_activation_min = d->act_min;
    p.quantized_activation_max = d->act_max;
    SHAPE(filter, 1, l->k_h, l->k_w, l->out_c);
    tflite::reference_integer_ops::DepthwiseConvPerChannel(
        p, d->multiplier, d->shift, in, d->input, filter,
        d->filter, bias, d->bias, out, d->output);
    break;
  }
  case L_FC: {
    // Per-tensor weights (the MLPerf Tiny models' FULLY_CONNECTED).
    int depth = l->in_h * l->in_w * l->in_c;
    tflite::FullyConnectedParams p = {};
    p.input_offset = d->input_offset;
    p.weights_offset = 0;
    p.output_offset = d->output_offset;
    p.output_multiplier = d->multiplier[0];
    p.output_shift = d->shift[0];
    p.quantized_activation_min = d->act_min;
    p.quantized_activation_max = d->act_max;
    SHAPE(fin, 1, depth);
    SHAPE(filter, l->out_c, depth);
    SHAPE(fout, 1, l->out_c);
    tflite::reference_integer_ops::FullyConnected<int8_t, int8_t, int8_t, int32_t>(
        p, fin, d->input, filter, d->filter, bias, d->bias, fout, d->output);
    break;
  }
  case L_AVGPOOL:
  case L_MAXPOOL: {
    tflite::PoolParams p = {};
    p.padding_values.width = l->pad_w;
    p.padding_values.height = l->pad_h;
    p.stride_width = l->s_w;
    p.stride_height = l->s_h;
    p.filter_width = l->k_w;
    p.filter_height = l->k_h;
    p.quantized_activation_min = d->act_min;
    p.quantized_activation_max = d->act_max;
    if (l->kind == L_AVGPOOL)
      tflite::reference_integer_ops::AveragePool(p, in, d->input, out, d->output);
    else
      tflite::reference_integer_ops::MaxPool(p, in, d->input, out, d->output);
    break;
  }
  case L_ADD: {
    tflite::ArithmeticParams p = {};
    p.input1_offset = p.input2_offset = 128;
    p.left_shift = 20;
    p.input1_multiplier = p.input2_multiplier = 1518500250;
    p.input1_shift = p.input2_shift = -1;
    p.output_offset = d->output_offset;
    p.output_multiplier = 1073741824;
    p.output_shift = -19;
    p.quantized_activation_min = d->act_min;
    p.quantized_activation_max = d->act_max;
    tflite::reference_integer_ops::Add(p, out, d->input, out, d->input2, out, d->output);
    break;
  }
  case L_SOFTMAX: {
    tflite::SoftmaxParams p = {};
    p.input_multiplier = 1073741824;
    p.input_left_shift = 23;
    p.diff_min = -248;
    p.zero_point = -128;
    SHAPE(s, 1, l->out_c);
    tflite::reference_ops::Softmax<int8_t, int8_t>(p, s, d->input, s, d->output);
    break;
  }
  }
}
