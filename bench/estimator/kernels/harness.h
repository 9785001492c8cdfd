// The kernel harness: runs every operator of a model once, each between bench_begin() and
// bench_end(), so the QEMU plugin (profile.c) reports one region per operator.
#pragma once
#include <stdint.h>

enum { L_CONV, L_DWCONV, L_FC, L_AVGPOOL, L_MAXPOOL, L_ADD, L_SOFTMAX };

typedef struct {
  const char *name;
  uint8_t kind;
  int16_t in_h, in_w, in_c, out_h, out_w, out_c;
  int16_t k_h, k_w, s_h, s_w, pad_h, pad_w;
  uint8_t relu;  // fused ReLU: the clamp starts at the output zero point
} layer_t;

// What one library needs to run a layer. Weights live in code memory ("flash"), activations
// and quantisation parameters in RAM, as TFLM keeps them on a board.
typedef struct {
  const int8_t *input, *input2;  // input2: ADD's second operand
  int8_t *output;
  const int8_t *filter;
  const int32_t *bias, *multiplier, *shift;
  void *scratch;
  int32_t scratch_bytes;
  int32_t input_offset, output_offset;  // -input zero point, output zero point
  int32_t act_min, act_max;
} layer_data_t;

// Implemented once per kernel library (cmsis_nn_layer.c, reference_layer.cc, tinycnn_layer.swift).
// prepare: work TFLM does in Prepare (buffer sizes, kernel sums), outside the measured region.
void library_prepare(const layer_t *l, layer_data_t *d);
void library_run(const layer_t *l, const layer_data_t *d);

void bench_begin(void);
void bench_end(void);
