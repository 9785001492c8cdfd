// One operator through ESP-NN's portable kernels (espressif/esp-nn with CONFIG_NN_OPTIMIZED and
// no ESP32-S3/P4 target: the esp_nn_generic_opt.h mapping ESP-IDF uses on the ESP32 and the
// ESP32-C3), called as esp-tflite-micro's kernels/esp_nn/*.cc call them. measure.sh esp-nn.
#define CONFIG_NN_OPTIMIZED 1
#include "esp_nn.h"
#include "harness.h"

static data_dims_t dims(int w, int h, int c, int extra) { return (data_dims_t){w, h, c, extra}; }

void library_prepare(const layer_t *l, layer_data_t *d) {
  data_dims_t in = dims(l->in_w, l->in_h, l->in_c, 1), out = dims(l->out_w, l->out_h, l->out_c, 1);
  data_dims_t f = dims(l->k_w, l->k_h, l->kind == L_CONV ? l->in_c : l->out_c, 0);
  int32_t size = 0;
  if (l->kind == L_CONV) {
    conv_params_t p = {d->input_offset, d->output_offset, {l->s_w, l->s_h}, {l->pad_w, l->pad_h},
                       {0, 0}, {d->act_min, d->act_max}};
    size = esp_nn_get_conv_scratch_size(&in, &f, &out, &p);
  } else if (l->kind == L_DWCONV) {
    dw_conv_params_t p = {d->input_offset, d->output_offset, l->out_c / l->in_c, {l->s_w, l->s_h},
                          {l->pad_w, l->pad_h}, {0, 0}, {d->act_min, d->act_max}};
    size = esp_nn_get_depthwise_conv_scratch_size(&in, &f, &out, &p);
  } else if (l->kind == L_SOFTMAX) {
    size = esp_nn_get_softmax_scratch_size(l->out_c, 1);
  }
  d->scratch_bytes = size;
}

void library_run(const layer_t *l, const layer_data_t *d) {
  data_dims_t in = dims(l->in_w, l->in_h, l->in_c, 1), out = dims(l->out_w, l->out_h, l->out_c, 1);
  quant_data_t q = {(int32_t *)d->shift, (int32_t *)d->multiplier};
  switch (l->kind) {
  case L_CONV: {
    data_dims_t f = dims(l->k_w, l->k_h, l->in_c, 0);
    conv_params_t p = {d->input_offset, d->output_offset, {l->s_w, l->s_h}, {l->pad_w, l->pad_h},
                       {0, 0}, {d->act_min, d->act_max}};
    esp_nn_set_conv_scratch_buf(d->scratch);
    esp_nn_conv_s8(&in, d->input, &f, d->filter, d->bias, &out, d->output, &p, &q);
    break;
  }
  case L_DWCONV: {
    data_dims_t f = dims(l->k_w, l->k_h, l->out_c, 0);
    dw_conv_params_t p = {d->input_offset, d->output_offset, l->out_c / l->in_c, {l->s_w, l->s_h},
                          {l->pad_w, l->pad_h}, {0, 0}, {d->act_min, d->act_max}};
    esp_nn_set_depthwise_conv_scratch_buf(d->scratch);
    esp_nn_depthwise_conv_s8(&in, d->input, &f, d->filter, d->bias, &out, d->output, &p, &q);
    break;
  }
  case L_FC:
    // Per-tensor weights (the MLPerf Tiny models' FULLY_CONNECTED).
    esp_nn_fully_connected_s8(d->input, d->input_offset, l->in_h * l->in_w * l->in_c, d->filter, 0,
                              d->bias, d->output, l->out_c, d->output_offset, d->shift[0],
                              d->multiplier[0], d->act_min, d->act_max);
    break;
  case L_AVGPOOL:
    esp_nn_avg_pool_s8(d->input, l->in_w, l->in_h, d->output, l->out_w, l->out_h, l->s_w, l->s_h,
                       l->k_w, l->k_h, l->pad_w, l->pad_h, d->act_min, d->act_max, l->in_c);
    break;
  case L_MAXPOOL:
    esp_nn_max_pool_s8(d->input, l->in_w, l->in_h, d->output, l->out_w, l->out_h, l->s_w, l->s_h,
                       l->k_w, l->k_h, l->pad_w, l->pad_h, d->act_min, d->act_max, l->in_c);
    break;
  case L_ADD:
    // The same constants as the other libraries' runs (TFLM's Prepare for equal input scales).
    esp_nn_add_elementwise_s8(d->input, d->input2, 128, 128, 1518500250, 1518500250, -1, -1, 20,
                              d->output, d->output_offset, 1073741824, -19, d->act_min, d->act_max,
                              l->out_h * l->out_w * l->out_c);
    break;
  case L_SOFTMAX:
    esp_nn_set_softmax_scratch_buf(d->scratch);
    esp_nn_softmax_s8(d->input, 1, l->out_c, 1073741824, 23, -248, d->output);
    break;
  }
}
