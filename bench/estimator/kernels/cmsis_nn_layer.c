// One operator through CMSIS-NN, called the way TFLM's kernels/cmsis_nn/*.cc call it (the
// wrappers pick the 1x1, 1xN, 3x3-depthwise and general paths), so the counts are what a TFLM +
// CMSIS-NN firmware executes inside its kernels. Build against a checkout: measure.sh.
#include "arm_nnfunctions.h"
#include "harness.h"

static cmsis_nn_dims dims(int n, int h, int w, int c) { return (cmsis_nn_dims){n, h, w, c}; }

static cmsis_nn_conv_params conv_params(const layer_t *l, const layer_data_t *d) {
  return (cmsis_nn_conv_params){
      .input_offset = d->input_offset, .output_offset = d->output_offset,
      .stride = {l->s_w, l->s_h}, .padding = {l->pad_w, l->pad_h}, .dilation = {1, 1},
      .activation = {d->act_min, d->act_max}};
}
static cmsis_nn_dw_conv_params dw_params(const layer_t *l, const layer_data_t *d) {
  return (cmsis_nn_dw_conv_params){
      .input_offset = d->input_offset, .output_offset = d->output_offset,
      .ch_mult = l->out_c / l->in_c, .stride = {l->s_w, l->s_h}, .padding = {l->pad_w, l->pad_h},
      .dilation = {1, 1}, .activation = {d->act_min, d->act_max}};
}
static int fc_depth(const layer_t *l) { return l->in_h * l->in_w * l->in_c; }

void library_prepare(const layer_t *l, layer_data_t *d) {
  cmsis_nn_dims in = dims(1, l->in_h, l->in_w, l->in_c), out = dims(1, l->out_h, l->out_w, l->out_c);
  int32_t size = 0;
  switch (l->kind) {
  case L_CONV: {
    cmsis_nn_conv_params p = conv_params(l, d);
    cmsis_nn_dims f = dims(l->out_c, l->k_h, l->k_w, l->in_c);
    size = arm_convolve_wrapper_s8_get_buffer_size(&p, &in, &f, &out);
    break;
  }
  case L_DWCONV: {
    cmsis_nn_dw_conv_params p = dw_params(l, d);
    cmsis_nn_dims f = dims(1, l->k_h, l->k_w, l->out_c);
    size = arm_depthwise_conv_wrapper_s8_get_buffer_size(&p, &in, &f, &out);
    break;
  }
  case L_FC: {
    // TFLM (KERNELS_OPTIMIZED_FOR_SPEED) computes the kernel sums once in Prepare when the
    // library asks for a buffer (the MVE path); they are persistent, not scratch.
    cmsis_nn_dims f = dims(fc_depth(l), 1, 1, l->out_c);
    size = arm_fully_connected_s8_get_buffer_size(&f);
#if !defined(CMSIS_NN_2020)
    if (size > 0)
      arm_vector_sum_s8(d->scratch, fc_depth(l), l->out_c, d->filter, d->input_offset, 0, d->bias);
#endif
    break;
  }
  case L_AVGPOOL:
    size = arm_avgpool_s8_get_buffer_size(l->out_w, l->in_c);
    break;
  default:
    break;
  }
  d->scratch_bytes = size;
}

void library_run(const layer_t *l, const layer_data_t *d) {
  cmsis_nn_context ctx = {d->scratch, d->scratch_bytes};
  cmsis_nn_dims in = dims(1, l->in_h, l->in_w, l->in_c), out = dims(1, l->out_h, l->out_w, l->out_c);
  cmsis_nn_dims bias = dims(1, 1, 1, l->out_c);
  cmsis_nn_per_channel_quant_params q = {(int32_t *)d->multiplier, (int32_t *)d->shift};
  switch (l->kind) {
  case L_CONV: {
    cmsis_nn_conv_params p = conv_params(l, d);
    cmsis_nn_dims f = dims(l->out_c, l->k_h, l->k_w, l->in_c);
    arm_convolve_wrapper_s8(&ctx, &p, &q, &in, d->input, &f, d->filter, &bias, d->bias, &out, d->output);
    break;
  }
  case L_DWCONV: {
    cmsis_nn_dw_conv_params p = dw_params(l, d);
    cmsis_nn_dims f = dims(1, l->k_h, l->k_w, l->out_c);
    arm_depthwise_conv_wrapper_s8(&ctx, &p, &q, &in, d->input, &f, d->filter, &bias, d->bias, &out, d->output);
    break;
  }
  case L_FC: {
    // Per-tensor weights, as the MLPerf Tiny models' FULLY_CONNECTED.
    cmsis_nn_fc_params p = {.input_offset = d->input_offset, .filter_offset = 0,
                            .output_offset = d->output_offset, .activation = {d->act_min, d->act_max}};
    cmsis_nn_dims fin = dims(1, 1, 1, fc_depth(l)), f = dims(fc_depth(l), 1, 1, l->out_c);
    cmsis_nn_dims fout = dims(1, 1, 1, l->out_c);
#if defined(CMSIS_NN_2020)
    cmsis_nn_per_tensor_quant_params qp = {d->multiplier[0], d->shift[0]};
    arm_fully_connected_s8(&ctx, &p, &qp, &fin, d->input, &f, d->filter, &bias, d->bias, &fout, d->output);
#else
    cmsis_nn_quant_params qp = {(int32_t *)d->multiplier, (int32_t *)d->shift, 0};
    arm_fully_connected_wrapper_s8(&ctx, &p, &qp, &fin, d->input, &f, d->filter, &bias, d->bias, &fout, d->output);
#endif
    break;
  }
  case L_AVGPOOL:
  case L_MAXPOOL: {
    cmsis_nn_pool_params p = {.stride = {l->s_w, l->s_h}, .padding = {l->pad_w, l->pad_h},
                              .activation = {d->act_min, d->act_max}};
    cmsis_nn_dims f = dims(1, l->k_h, l->k_w, 1);
    if (l->kind == L_AVGPOOL)
      arm_avgpool_s8(&ctx, &p, &in, d->input, &f, &out, d->output);
    else
      arm_max_pool_s8(&ctx, &p, &in, d->input, &f, &out, d->output);
    break;
  }
  case L_ADD:
    // TFLM's Prepare: left_shift 20, input multipliers below 2^31 with shifts <= 0.
    arm_elementwise_add_s8(d->input, d->input2, 128, 1518500250, -1, 128, 1518500250, -1, 20,
                           d->output, d->output_offset, 1073741824, -19, d->act_min, d->act_max,
                           l->out_h * l->out_w * l->out_c);
    break;
  case L_SOFTMAX:
    // TFLM's Prepare for int8 softmax (beta 1, input scale ~1/16): mult, shift, diff_min.
    arm_softmax_s8(d->input, 1, l->out_c, 1073741824, 23, -248, d->output);
    break;
  }
}
