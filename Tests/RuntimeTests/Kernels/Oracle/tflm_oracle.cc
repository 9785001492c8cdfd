// Prints TFLite Micro's own outputs for randomised kernel cases, one case per line, for
// TFLMOracleTests.swift. Every operator runs through TFLM's registration (its Prepare and
// Eval, via the KernelRunner its kernel tests use); the fixed-point cases call gemmlowp and
// TFLite's GetReciprocal directly. Built by make_oracle_data.sh; not part of the Swift build.
//
// Line format: `<op> key=value ...`; lists are comma-separated ("-" when empty), floats are
// C99 hex literals (%a) so that they round-trip exactly, `status=error` marks a case TFLM's
// Prepare rejects.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <deque>
#include <string>
#include <vector>

#include "fixedpoint/fixedpoint.h"
#include "tensorflow/lite/c/builtin_op_data.h"
#include "tensorflow/lite/kernels/internal/common.h"
#include "tensorflow/lite/kernels/internal/strided_slice_logic.h"
#include "tensorflow/lite/micro/kernels/kernel_runner.h"
#include "tensorflow/lite/micro/kernels/micro_ops.h"

namespace {

// SplitMix64, as in the Swift tests.
struct Rng {
  uint64_t state;
  uint64_t Next() {
    uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  int Below(int n) { return static_cast<int>(Next() % static_cast<uint64_t>(n)); }
  int Range(int lo, int hi) { return lo + Below(hi - lo + 1); }  // inclusive
  bool Coin() { return Next() & 1; }
  // Log-uniform in [lo, hi], rounded to float.
  float Scale(double lo, double hi) {
    double u = static_cast<double>(Next() >> 11) / 9007199254740992.0;
    return static_cast<float>(lo * std::pow(hi / lo, u));
  }
  int8_t Int8() { return static_cast<int8_t>(Next()); }
};

// Storage that outlives the KernelRunner calls of one case.
std::deque<std::vector<int>> int_arrays;
std::deque<std::vector<float>> float_arrays;
std::deque<TfLiteAffineQuantization> quantizations;
std::deque<std::vector<uint8_t>> buffers;

TfLiteIntArray* IntArray(const std::vector<int>& values) {
  std::vector<int> v;
  v.push_back(static_cast<int>(values.size()));
  v.insert(v.end(), values.begin(), values.end());
  int_arrays.push_back(v);
  return reinterpret_cast<TfLiteIntArray*>(int_arrays.back().data());
}

TfLiteFloatArray* FloatArray(const std::vector<float>& values) {
  std::vector<float> v;
  v.push_back(0);
  int n = static_cast<int>(values.size());
  std::memcpy(&v[0], &n, sizeof(int));
  v.insert(v.end(), values.begin(), values.end());
  float_arrays.push_back(v);
  return reinterpret_cast<TfLiteFloatArray*>(float_arrays.back().data());
}

int TypeSize(TfLiteType type) {
  switch (type) {
    case kTfLiteInt8: case kTfLiteUInt8: return 1;
    case kTfLiteInt16: return 2;
    default: return 4;
  }
}

int Count(const std::vector<int>& dims) {
  int n = 1;
  for (int d : dims) n *= d;
  return n;
}

// A tensor over fresh storage holding `data` (or zeros), with per-tensor or per-channel affine
// quantisation when `scales` is not empty.
template <typename T>
TfLiteTensor Tensor(TfLiteType type, const std::vector<int>& dims, const std::vector<T>& data,
                    std::vector<float> scales = {}, std::vector<int> zero_points = {},
                    int quantized_dimension = 0, bool constant = false) {
  int count = Count(dims);
  buffers.emplace_back(std::max(1, count * TypeSize(type)), 0);
  if (!data.empty()) std::memcpy(buffers.back().data(), data.data(), count * sizeof(T));
  TfLiteTensor t = {};
  t.type = type;
  t.dims = IntArray(dims);
  t.data.data = buffers.back().data();
  t.bytes = count * TypeSize(type);
  t.allocation_type = constant ? kTfLiteMmapRo : kTfLiteMemNone;
  t.quantization = {kTfLiteNoQuantization, nullptr};
  if (!scales.empty()) {
    if (zero_points.empty()) zero_points.assign(scales.size(), 0);
    t.params = {scales[0], zero_points[0]};
    quantizations.push_back({FloatArray(scales), IntArray(zero_points), quantized_dimension});
    t.quantization = {kTfLiteAffineQuantization, &quantizations.back()};
  }
  return t;
}

template <typename T>
std::vector<T> Data(const TfLiteTensor& t) {
  const T* p = static_cast<const T*>(t.data.data);
  return std::vector<T>(p, p + Count(std::vector<int>(t.dims->data, t.dims->data + t.dims->size)));
}

// Runs one operator; returns false when TFLM's Prepare or Eval fails.
bool Run(const TFLMRegistration& registration, std::vector<TfLiteTensor>& tensors,
         int num_inputs, const void* builtin_data) {
  std::vector<int> inputs, outputs;
  for (int i = 0; i < num_inputs; ++i) inputs.push_back(i);
  for (int i = num_inputs; i < static_cast<int>(tensors.size()); ++i) outputs.push_back(i);
  tflite::micro::KernelRunner runner(registration, tensors.data(), tensors.size(),
                                     IntArray(inputs), IntArray(outputs), builtin_data);
  if (runner.InitAndPrepare() != kTfLiteOk) return false;
  return runner.Invoke() == kTfLiteOk;
}

// --- printing ------------------------------------------------------------------------------
std::string line;
void Begin(const char* op) { line = op; }
void End() {
  std::puts(line.c_str());
  std::fflush(stdout);
  int_arrays.clear();
  float_arrays.clear();
  quantizations.clear();
  buffers.clear();
}
void Key(const char* key, const std::string& value) { line += " " + std::string(key) + "=" + value; }
void Int(const char* key, long long v) { Key(key, std::to_string(v)); }
void Float(const char* key, float v) {
  char b[64];
  std::snprintf(b, sizeof b, "%a", static_cast<double>(v));
  Key(key, b);
}
template <typename T>
void Ints(const char* key, const std::vector<T>& v) {
  std::string s;
  for (size_t i = 0; i < v.size(); ++i) s += (i ? "," : "") + std::to_string(static_cast<long long>(v[i]));
  Key(key, s.empty() ? "-" : s);
}
void Floats(const char* key, const std::vector<float>& v) {
  std::string s;
  char b[64];
  for (size_t i = 0; i < v.size(); ++i) {
    std::snprintf(b, sizeof b, "%a", static_cast<double>(v[i]));
    s += (i ? "," : "") + std::string(b);
  }
  Key(key, s.empty() ? "-" : s);
}
void Status(bool ok) { Key("status", ok ? "ok" : "error"); }

std::vector<int8_t> RandomInt8s(Rng& rng, int n) {
  std::vector<int8_t> v(n);
  for (auto& x : v) x = rng.Int8();
  return v;
}

std::vector<int> RandomDims(Rng& rng, int rank, int max_dim) {
  std::vector<int> d(rank);
  for (auto& x : d) x = rng.Range(1, max_dim);
  return d;
}

const TfLiteFusedActivation kActivations[] = {kTfLiteActNone, kTfLiteActRelu, kTfLiteActRelu6,
                                             kTfLiteActReluN1To1};

// --- operators -----------------------------------------------------------------------------
void Softmax(Rng& rng, bool int16_output) {
  int rank = rng.Range(1, 4);
  std::vector<int> dims = RandomDims(rng, rank, 3);
  dims.back() = rng.Range(1, 24);
  float beta = rng.Below(3) == 0 ? rng.Scale(0.25, 4) : 1.0f;
  float scale = rng.Scale(0.002, 4);
  int zp = rng.Range(-128, 127);
  std::vector<int8_t> input = RandomInt8s(rng, Count(dims));
  if (rng.Coin()) for (auto& x : input) x = static_cast<int8_t>(std::max(-128, 127 - rng.Below(20)));
  std::vector<TfLiteTensor> t = {Tensor(kTfLiteInt8, dims, input, {scale}, {zp})};
  if (int16_output)
    t.push_back(Tensor(kTfLiteInt16, dims, std::vector<int16_t>{}, {1.0f / 65536}, {-32768}));
  else
    t.push_back(Tensor(kTfLiteInt8, dims, std::vector<int8_t>{}, {1.0f / 256}, {-128}));
  TfLiteSoftmaxParams params = {beta};
  bool ok = Run(tflite::Register_SOFTMAX(), t, 1, &params);
  Begin(int16_output ? "softmax16" : "softmax");
  Ints("shape", dims); Float("beta", beta); Float("in_scale", scale); Int("in_zp", zp);
  Ints("input", input); Status(ok);
  if (ok) {
    if (int16_output) Ints("expect", Data<int16_t>(t[1])); else Ints("expect", Data<int8_t>(t[1]));
  }
  End();
}

void Logistic(Rng& rng) {
  float scale = rng.Scale(0.001, 1);
  int zp = rng.Range(-128, 127);
  std::vector<int8_t> input(256);
  for (int i = 0; i < 256; ++i) input[i] = static_cast<int8_t>(i - 128);
  std::vector<TfLiteTensor> t = {Tensor(kTfLiteInt8, {256}, input, {scale}, {zp}),
                                 Tensor(kTfLiteInt8, {256}, std::vector<int8_t>{}, {1.0f / 256}, {-128})};
  bool ok = Run(tflite::Register_LOGISTIC(), t, 1, nullptr);
  Begin("logistic"); Float("in_scale", scale); Int("in_zp", zp); Status(ok);
  if (ok) Ints("expect", Data<int8_t>(t[1]));
  End();
}

void Add(Rng& rng) {
  int rank = rng.Range(1, 4);
  std::vector<int> out = RandomDims(rng, rank, 4);
  std::vector<int> a = out, b = out;
  if (rng.Coin()) {  // broadcast: some dimensions of one or the other become 1, ranks may drop
    for (int i = 0; i < rank; ++i) {
      int r = rng.Below(3);
      if (r == 0) a[i] = 1; else if (r == 1) b[i] = 1;
    }
    if (rng.Coin() && a.size() > 1) a.erase(a.begin());
    for (int i = 0; i < rank; ++i) {  // the output is the broadcast of the two
      int ai = i - (rank - static_cast<int>(a.size()));
      out[i] = std::max(ai >= 0 ? a[ai] : 1, b[i]);
    }
  }
  float s1 = rng.Scale(0.001, 1), s2 = rng.Scale(0.001, 1), so = rng.Scale(0.002, 2);
  int z1 = rng.Range(-128, 127), z2 = rng.Range(-128, 127), zo = rng.Range(-128, 127);
  TfLiteFusedActivation act = kActivations[rng.Below(4)];
  std::vector<int8_t> x = RandomInt8s(rng, Count(a)), y = RandomInt8s(rng, Count(b));
  std::vector<TfLiteTensor> t = {Tensor(kTfLiteInt8, a, x, {s1}, {z1}),
                                 Tensor(kTfLiteInt8, b, y, {s2}, {z2}),
                                 Tensor(kTfLiteInt8, out, std::vector<int8_t>{}, {so}, {zo})};
  TfLiteAddParams params = {};
  params.activation = act;
  bool ok = Run(tflite::Register_ADD(), t, 2, &params);
  Begin("add"); Ints("shape1", a); Ints("shape2", b); Ints("out_shape", out);
  Float("scale1", s1); Int("zp1", z1); Float("scale2", s2); Int("zp2", z2);
  Float("out_scale", so); Int("out_zp", zo); Int("activation", act);
  Ints("input1", x); Ints("input2", y); Status(ok);
  if (ok) Ints("expect", Data<int8_t>(t[2]));
  End();
}

void Mean(Rng& rng) {
  int rank = rng.Range(1, 4);
  std::vector<int> dims = RandomDims(rng, rank, 5);
  std::vector<int> axes;
  if (rank == 4 && rng.Coin()) {
    axes = {1, 2};
    if (rng.Coin()) axes = {2, 1};
  } else {
    int n = rng.Range(1, rank);
    for (int i = 0; i < n; ++i) axes.push_back(rng.Below(rank));
  }
  for (auto& a : axes) if (rng.Below(3) == 0) a -= rank;  // negative spelling
  bool keep_dims = rng.Coin();
  std::vector<int> out;
  for (int i = 0; i < rank; ++i) {
    bool reduced = false;
    for (int a : axes) reduced |= (a < 0 ? a + rank : a) == i;
    if (!reduced) out.push_back(dims[i]); else if (keep_dims) out.push_back(1);
  }
  float si = rng.Scale(0.005, 1), so = rng.Coin() ? si : rng.Scale(0.005, 1);
  int zi = rng.Range(-128, 127), zo = rng.Coin() ? zi : rng.Range(-128, 127);
  std::vector<int8_t> input = RandomInt8s(rng, Count(dims));
  std::vector<TfLiteTensor> t = {
      Tensor(kTfLiteInt8, dims, input, {si}, {zi}),
      Tensor(kTfLiteInt32, {static_cast<int>(axes.size())}, axes, {}, {}, 0, true),
      Tensor(kTfLiteInt8, out, std::vector<int8_t>{}, {so}, {zo})};
  TfLiteReducerParams params = {keep_dims};
  bool ok = Run(tflite::Register_MEAN(), t, 2, &params);
  Begin("mean"); Ints("shape", dims); Ints("axes", axes); Ints("out_shape", out);
  Float("in_scale", si); Int("in_zp", zi); Float("out_scale", so); Int("out_zp", zo);
  Ints("input", input); Status(ok);
  if (ok) Ints("expect", Data<int8_t>(t[2]));
  End();
}

void Concatenation(Rng& rng, bool int32) {
  int rank = rng.Range(1, 4);
  int axis = rng.Below(rank);
  int n = rng.Range(2, 4);
  std::vector<int> dims = RandomDims(rng, rank, 3);
  std::vector<TfLiteTensor> t;
  std::vector<std::vector<int>> shapes;
  std::vector<std::vector<int>> data;
  float scale = rng.Scale(0.01, 1);
  int zp = rng.Range(-128, 127);
  int total = 0;
  for (int i = 0; i < n; ++i) {
    std::vector<int> d = dims;
    d[axis] = rng.Range(1, 3);
    total += d[axis];
    std::vector<int> values(Count(d));
    for (auto& v : values) v = int32 ? static_cast<int>(rng.Next() % 2001) - 1000 : rng.Int8();
    shapes.push_back(d);
    data.push_back(values);
    if (int32) {
      t.push_back(Tensor(kTfLiteInt32, d, values));
    } else {
      std::vector<int8_t> bytes(values.begin(), values.end());
      t.push_back(Tensor(kTfLiteInt8, d, bytes, {scale}, {zp}));
    }
  }
  std::vector<int> out = dims;
  out[axis] = total;
  if (int32) t.push_back(Tensor(kTfLiteInt32, out, std::vector<int32_t>{}));
  else t.push_back(Tensor(kTfLiteInt8, out, std::vector<int8_t>{}, {scale}, {zp}));
  int written_axis = rng.Coin() ? axis - rank : axis;
  TfLiteConcatenationParams params = {written_axis, kTfLiteActNone};
  bool ok = Run(tflite::Register_CONCATENATION(), t, n, &params);
  Begin(int32 ? "concat32" : "concat"); Int("axis", written_axis); Ints("out_shape", out);
  Float("scale", scale); Int("zp", zp);
  for (int i = 0; i < n; ++i) {
    Ints(("shape" + std::to_string(i)).c_str(), shapes[i]);
    Ints(("input" + std::to_string(i)).c_str(), data[i]);
  }
  Status(ok);
  if (ok) {
    if (int32) Ints("expect", Data<int32_t>(t[n])); else Ints("expect", Data<int8_t>(t[n]));
  }
  End();
}

void Pad(Rng& rng, bool v2) {
  int rank = rng.Range(1, 4);
  std::vector<int> dims = RandomDims(rng, rank, 4);
  std::vector<int> paddings(2 * rank), out(rank);
  for (int i = 0; i < rank; ++i) {
    paddings[2 * i] = rng.Range(0, 2);
    paddings[2 * i + 1] = rng.Range(0, 2);
    out[i] = dims[i] + paddings[2 * i] + paddings[2 * i + 1];
  }
  float scale = rng.Scale(0.01, 1);
  int zp = rng.Range(-128, 127);
  int8_t constant = rng.Int8();
  std::vector<int8_t> input = RandomInt8s(rng, Count(dims));
  std::vector<TfLiteTensor> t = {Tensor(kTfLiteInt8, dims, input, {scale}, {zp}),
                                 Tensor(kTfLiteInt32, {rank, 2}, paddings, {}, {}, 0, true)};
  if (v2) t.push_back(Tensor(kTfLiteInt8, {1}, std::vector<int8_t>{constant}, {scale}, {zp}, 0, true));
  t.push_back(Tensor(kTfLiteInt8, out, std::vector<int8_t>{}, {scale}, {zp}));
  bool ok = Run(v2 ? tflite::Register_PADV2() : tflite::Register_PAD(), t, v2 ? 3 : 2, nullptr);
  Begin(v2 ? "padv2" : "pad"); Ints("shape", dims); Ints("paddings", paddings);
  Ints("out_shape", out); Float("scale", scale); Int("zp", zp);
  if (v2) Int("constant", constant);
  Ints("input", input); Status(ok);
  if (ok) Ints("expect", Data<int8_t>(t.back()));
  End();
}

void QuantizeFloat(Rng& rng) {
  float scale = rng.Scale(0.002, 1);
  int zp = rng.Range(-128, 127);
  std::vector<float> input(64);
  for (size_t i = 0; i < input.size(); ++i) {
    // Half of them on exact ties k/2 * scale; the rest anywhere in the range and beyond.
    int k = static_cast<int>(rng.Next() % 601) - 300;
    input[i] = i % 2 ? static_cast<float>((k + 0.5) * scale)
                     : static_cast<float>((static_cast<double>(rng.Next() >> 11) / 9007199254740992.0 - 0.5) * 300 * scale);
  }
  std::vector<TfLiteTensor> t = {Tensor(kTfLiteFloat32, {64}, input),
                                 Tensor(kTfLiteInt8, {64}, std::vector<int8_t>{}, {scale}, {zp})};
  bool ok = Run(tflite::Register_QUANTIZE(), t, 1, nullptr);
  Begin("quantize_float"); Float("out_scale", scale); Int("out_zp", zp); Floats("input", input);
  Status(ok);
  if (ok) Ints("expect", Data<int8_t>(t[1]));
  End();
}

// int8 -> int8, int8 -> uint8, uint8 -> int8 over every input value.
void Requantize(Rng& rng, TfLiteType in, TfLiteType out) {
  float si = rng.Scale(0.005, 1);
  float so = rng.Below(3) == 0 ? si : rng.Scale(0.005, 1);
  int zi = in == kTfLiteUInt8 ? rng.Range(0, 255) : rng.Range(-128, 127);
  int zo = out == kTfLiteUInt8 ? rng.Range(0, 255) : rng.Range(-128, 127);
  if (in != out && rng.Coin()) zo = zi + (in == kTfLiteInt8 ? 128 : -128), so = si;  // fast path
  std::vector<uint8_t> input(256);
  for (int i = 0; i < 256; ++i) input[i] = static_cast<uint8_t>(i);
  std::vector<TfLiteTensor> t = {Tensor(in, {256}, input, {si}, {zi}),
                                 Tensor(out, {256}, std::vector<uint8_t>{}, {so}, {zo})};
  bool ok = Run(tflite::Register_QUANTIZE(), t, 1, nullptr);
  Begin(in == kTfLiteUInt8 ? "requantize_u8_i8" : out == kTfLiteUInt8 ? "requantize_i8_u8" : "requantize_i8_i8");
  Float("in_scale", si); Int("in_zp", zi); Float("out_scale", so); Int("out_zp", zo); Status(ok);
  // Inputs are the bytes 0...255 (as int8 bit patterns for int8).
  if (ok) {
    if (out == kTfLiteUInt8) Ints("expect", Data<uint8_t>(t[1])); else Ints("expect", Data<int8_t>(t[1]));
  }
  End();
}

void Dequantize(Rng& rng, TfLiteType in) {
  float scale = rng.Scale(0.001, 2);
  int zp = in == kTfLiteUInt8 ? rng.Range(0, 255) : rng.Range(-128, 127);
  std::vector<uint8_t> input(256);
  for (int i = 0; i < 256; ++i) input[i] = static_cast<uint8_t>(i);
  std::vector<TfLiteTensor> t = {Tensor(in, {256}, input, {scale}, {zp}),
                                 Tensor(kTfLiteFloat32, {256}, std::vector<float>{})};
  bool ok = Run(tflite::Register_DEQUANTIZE(), t, 1, nullptr);
  Begin(in == kTfLiteUInt8 ? "dequantize_u8" : "dequantize_i8");
  Float("scale", scale); Int("zp", zp); Status(ok);
  if (ok) Floats("expect", Data<float>(t[1]));
  End();
}

void StridedSlice(Rng& rng, bool int32) {
  int rank = rng.Range(1, 4);
  std::vector<int> dims = RandomDims(rng, rank, 5);
  std::vector<int> begin(rank), end(rank), strides(rank);
  int begin_mask = 0, end_mask = 0, shrink = 0;
  for (int i = 0; i < rank; ++i) {
    const int strides_choice[] = {-2, -1, 1, 1, 2, 3};
    strides[i] = strides_choice[rng.Below(6)];
    const int d = dims[i];
    if (rng.Below(4) == 0) {  // anywhere, often an empty slice
      begin[i] = rng.Range(-d - 1, d + 1);
      end[i] = rng.Range(-d - 1, d + 1);
    } else if (strides[i] > 0) {  // a non-empty run forwards, some indices spelled negative
      begin[i] = rng.Range(0, d - 1);
      end[i] = rng.Range(begin[i] + 1, d + 2);
      if (rng.Coin()) begin[i] -= d;
      if (rng.Coin() && end[i] < d) end[i] -= d;
    } else {  // backwards from begin; an end of -d - 1 or less runs past the front
      begin[i] = rng.Range(0, d - 1);
      end[i] = rng.Range(-1, begin[i] - 1);
      if (end[i] == -1) end[i] = -d - 1 - rng.Below(2);
      if (rng.Coin()) begin[i] -= d;
    }
    if (rng.Below(4) == 0) begin_mask |= 1 << i;
    if (rng.Below(4) == 0) end_mask |= 1 << i;
    if (rng.Below(5) == 0) {  // a shrunk axis takes one valid index
      shrink |= 1 << i;
      begin[i] = rng.Range(-dims[i], dims[i] - 1);
      begin_mask &= ~(1 << i);
    }
  }
  // The output shape, as TFLM's CheckOutputSize computes it (with TFLM's own functions).
  tflite::StridedSliceParams op = {};
  op.start_indices_count = op.stop_indices_count = op.strides_count = rank;
  for (int i = 0; i < rank; ++i) {
    op.start_indices[i] = begin[i];
    op.stop_indices[i] = end[i];
    op.strides[i] = strides[i];
  }
  op.begin_mask = begin_mask;
  op.end_mask = end_mask;
  op.shrink_axis_mask = shrink;
  tflite::RuntimeShape input_shape(rank, dims.data());
  std::vector<int> out;
  for (int i = 0; i < rank; ++i) {
    int b = tflite::strided_slice::StartForAxis(op, input_shape, i);
    int e = tflite::strided_slice::StopForAxis(op, input_shape, i, b);
    if (shrink & (1 << i)) continue;
    int len = static_cast<int>(std::ceil((e - b) / static_cast<float>(strides[i])));
    out.push_back(len < 0 ? 0 : len);
  }
  std::vector<int> input(Count(dims));
  for (size_t i = 0; i < input.size(); ++i) input[i] = int32 ? static_cast<int>(i) * 7 - 50 : rng.Int8();
  std::vector<TfLiteTensor> t;
  if (int32) t.push_back(Tensor(kTfLiteInt32, dims, input));
  else t.push_back(Tensor(kTfLiteInt8, dims, std::vector<int8_t>(input.begin(), input.end()), {0.1f}, {0}));
  t.push_back(Tensor(kTfLiteInt32, {rank}, begin, {}, {}, 0, true));
  t.push_back(Tensor(kTfLiteInt32, {rank}, end, {}, {}, 0, true));
  t.push_back(Tensor(kTfLiteInt32, {rank}, strides, {}, {}, 0, true));
  if (int32) t.push_back(Tensor(kTfLiteInt32, out, std::vector<int32_t>{}));
  else t.push_back(Tensor(kTfLiteInt8, out, std::vector<int8_t>{}, {0.1f}, {0}));
  TfLiteStridedSliceParams params = {};
  params.begin_mask = begin_mask;
  params.end_mask = end_mask;
  params.shrink_axis_mask = shrink;
  bool ok = Run(tflite::Register_STRIDED_SLICE(), t, 4, &params);
  Begin(int32 ? "strided_slice32" : "strided_slice"); Ints("shape", dims); Ints("begin", begin);
  Ints("end", end); Ints("strides", strides); Int("begin_mask", begin_mask);
  Int("end_mask", end_mask); Int("shrink_mask", shrink); Ints("out_shape", out);
  Ints("input", input); Status(ok);
  if (ok) {
    if (int32) Ints("expect", Data<int32_t>(t[4])); else Ints("expect", Data<int8_t>(t[4]));
  }
  End();
}

void Pack(Rng& rng, bool int32) {
  int rank = rng.Range(0, 3);
  std::vector<int> dims = RandomDims(rng, rank, 3);
  int n = rng.Range(1, 4);
  int axis = rng.Range(0, rank);
  std::vector<int> out = dims;
  out.insert(out.begin() + axis, n);
  std::vector<TfLiteTensor> t;
  std::vector<std::vector<int>> data;
  for (int i = 0; i < n; ++i) {
    std::vector<int> values(Count(dims));
    for (auto& v : values) v = int32 ? static_cast<int>(rng.Next() % 201) - 100 : rng.Int8();
    data.push_back(values);
    if (int32) t.push_back(Tensor(kTfLiteInt32, dims, values));
    else t.push_back(Tensor(kTfLiteInt8, dims, std::vector<int8_t>(values.begin(), values.end()), {0.1f}, {0}));
  }
  if (int32) t.push_back(Tensor(kTfLiteInt32, out, std::vector<int32_t>{}));
  else t.push_back(Tensor(kTfLiteInt8, out, std::vector<int8_t>{}, {0.1f}, {0}));
  int written_axis = rng.Coin() ? axis - static_cast<int>(out.size()) : axis;
  TfLitePackParams params = {n, written_axis};
  bool ok = Run(tflite::Register_PACK(), t, n, &params);
  Begin(int32 ? "pack32" : "pack"); Int("axis", written_axis); Ints("shape", dims);
  Ints("out_shape", out);
  for (int i = 0; i < n; ++i) Ints(("input" + std::to_string(i)).c_str(), data[i]);
  Status(ok);
  if (ok) {
    if (int32) Ints("expect", Data<int32_t>(t[n])); else Ints("expect", Data<int8_t>(t[n]));
  }
  End();
}

// CONV_2D (depthwise == false) or DEPTHWISE_CONV_2D, per-channel int8 weights, int32 bias.
void Conv(Rng& rng, bool depthwise) {
  int batch = rng.Range(1, 2), h = rng.Range(1, 7), w = rng.Range(1, 7);
  int in_c = rng.Range(1, 4);
  int multiplier = depthwise ? rng.Range(1, 3) : 1;
  int out_c = depthwise ? in_c * multiplier : rng.Range(1, 4);
  int kh = rng.Range(1, 3), kw = rng.Range(1, 3);
  int stride_h = rng.Range(1, 2), stride_w = rng.Range(1, 2);
  int dil_h = rng.Range(1, 2), dil_w = rng.Range(1, 2);
  TfLitePadding padding = rng.Coin() ? kTfLitePaddingSame : kTfLitePaddingValid;
  auto out_size = [&](int in, int k, int s, int d) {
    int eff = (k - 1) * d + 1;
    return padding == kTfLitePaddingSame ? (in + s - 1) / s : (in + s - eff) / s;
  };
  int oh = out_size(h, kh, stride_h, dil_h), ow = out_size(w, kw, stride_w, dil_w);
  if (oh <= 0 || ow <= 0) padding = kTfLitePaddingSame, oh = (h + stride_h - 1) / stride_h, ow = (w + stride_w - 1) / stride_w;
  float si = rng.Scale(0.005, 0.5), so = rng.Scale(0.01, 2);
  int zi = rng.Range(-128, 127), zo = rng.Range(-128, 127);
  std::vector<float> ws(out_c);
  for (auto& s : ws) s = rng.Scale(0.001, 0.1);
  std::vector<int> filter_dims = depthwise ? std::vector<int>{1, kh, kw, out_c}
                                           : std::vector<int>{out_c, kh, kw, in_c};
  std::vector<int8_t> input = RandomInt8s(rng, batch * h * w * in_c);
  std::vector<int8_t> filter = RandomInt8s(rng, Count(filter_dims));
  for (auto& f : filter) if (f == -128) f = -127;  // symmetric weights
  // TFLM's depthwise kernel DCHECKs a bias of output-depth elements, so it always gets one.
  bool has_bias = depthwise || rng.Below(4) != 0;
  std::vector<int32_t> bias(out_c);
  for (auto& b : bias) b = static_cast<int32_t>(rng.Next() % 20001) - 10000;
  std::vector<float> bias_scales(out_c);
  for (int c = 0; c < out_c; ++c) bias_scales[c] = si * ws[c];
  TfLiteFusedActivation act = kActivations[rng.Below(4)];
  std::vector<TfLiteTensor> t = {
      Tensor(kTfLiteInt8, {batch, h, w, in_c}, input, {si}, {zi}),
      Tensor(kTfLiteInt8, filter_dims, filter, ws, std::vector<int>(out_c, 0), depthwise ? 3 : 0, true)};
  if (has_bias) t.push_back(Tensor(kTfLiteInt32, {out_c}, bias, bias_scales, std::vector<int>(out_c, 0), 0, true));
  t.push_back(Tensor(kTfLiteInt8, {batch, oh, ow, out_c}, std::vector<int8_t>{}, {so}, {zo}));
  bool ok;
  if (depthwise) {
    TfLiteDepthwiseConvParams params = {};
    params.padding = padding;
    params.stride_width = stride_w;
    params.stride_height = stride_h;
    params.depth_multiplier = multiplier;
    params.activation = act;
    params.dilation_width_factor = dil_w;
    params.dilation_height_factor = dil_h;
    ok = Run(tflite::Register_DEPTHWISE_CONV_2D(), t, has_bias ? 3 : 2, &params);
  } else {
    TfLiteConvParams params = {};
    params.padding = padding;
    params.stride_width = stride_w;
    params.stride_height = stride_h;
    params.dilation_width_factor = dil_w;
    params.dilation_height_factor = dil_h;
    params.activation = act;
    ok = Run(tflite::Register_CONV_2D(), t, has_bias ? 3 : 2, &params);
  }
  Begin(depthwise ? "depthwise_conv" : "conv");
  Ints("in_shape", std::vector<int>{batch, h, w, in_c}); Ints("filter_shape", filter_dims);
  Ints("out_shape", std::vector<int>{batch, oh, ow, out_c});
  Int("padding", padding == kTfLitePaddingSame ? 0 : 1); Int("stride_h", stride_h);
  Int("stride_w", stride_w); Int("dilation_h", dil_h); Int("dilation_w", dil_w);
  Int("depth_multiplier", multiplier); Int("activation", act);
  Float("in_scale", si); Int("in_zp", zi); Floats("filter_scales", ws);
  Float("out_scale", so); Int("out_zp", zo); Ints("input", input); Ints("filter", filter);
  if (has_bias) Ints("bias", bias);
  Status(ok);
  if (ok) Ints("expect", Data<int8_t>(t.back()));
  End();
}

void FullyConnected(Rng& rng, bool per_channel) {
  int batches = rng.Range(1, 3), depth = rng.Range(1, 24), units = rng.Range(1, 10);
  float si = rng.Scale(0.005, 0.5), so = rng.Scale(0.01, 2);
  int zi = rng.Range(-128, 127), zo = rng.Range(-128, 127);
  std::vector<float> ws(per_channel ? units : 1);
  for (auto& s : ws) s = rng.Scale(0.001, 0.1);
  std::vector<int8_t> input = RandomInt8s(rng, batches * depth);
  std::vector<int8_t> filter = RandomInt8s(rng, units * depth);
  for (auto& f : filter) if (f == -128) f = -127;
  bool has_bias = rng.Below(4) != 0;
  std::vector<int32_t> bias(units);
  for (auto& b : bias) b = static_cast<int32_t>(rng.Next() % 20001) - 10000;
  std::vector<float> bias_scales;
  for (float s : ws) bias_scales.push_back(si * s);
  TfLiteFusedActivation act = kActivations[rng.Below(4)];
  std::vector<TfLiteTensor> t = {
      Tensor(kTfLiteInt8, {batches, depth}, input, {si}, {zi}),
      Tensor(kTfLiteInt8, {units, depth}, filter, ws, std::vector<int>(ws.size(), 0), 0, true)};
  if (has_bias) t.push_back(Tensor(kTfLiteInt32, {units}, bias, bias_scales, std::vector<int>(ws.size(), 0), 0, true));
  t.push_back(Tensor(kTfLiteInt8, {batches, units}, std::vector<int8_t>{}, {so}, {zo}));
  TfLiteFullyConnectedParams params = {};
  params.activation = act;
  bool ok = Run(tflite::Register_FULLY_CONNECTED(), t, has_bias ? 3 : 2, &params);
  Begin(per_channel ? "fully_connected_pc" : "fully_connected");
  Int("batches", batches); Int("depth", depth); Int("units", units); Int("activation", act);
  Float("in_scale", si); Int("in_zp", zi); Floats("filter_scales", ws);
  Float("out_scale", so); Int("out_zp", zo); Ints("input", input); Ints("filter", filter);
  if (has_bias) Ints("bias", bias);
  Status(ok);
  if (ok) Ints("expect", Data<int8_t>(t.back()));
  End();
}

void Pool(Rng& rng, bool average) {
  int batch = rng.Range(1, 2), h = rng.Range(1, 8), w = rng.Range(1, 8), c = rng.Range(1, 4);
  int fh = rng.Range(1, 3), fw = rng.Range(1, 3), sh = rng.Range(1, 3), sw = rng.Range(1, 3);
  TfLitePadding padding = rng.Coin() ? kTfLitePaddingSame : kTfLitePaddingValid;
  auto out_size = [&](int in, int k, int s) {
    return padding == kTfLitePaddingSame ? (in + s - 1) / s : (in + s - k) / s;
  };
  int oh = out_size(h, fh, sh), ow = out_size(w, fw, sw);
  if (oh <= 0 || ow <= 0) padding = kTfLitePaddingSame, oh = (h + sh - 1) / sh, ow = (w + sw - 1) / sw;
  float scale = rng.Scale(0.005, 1);
  int zp = rng.Range(-128, 127);
  TfLiteFusedActivation act = kActivations[rng.Below(4)];
  std::vector<int8_t> input = RandomInt8s(rng, batch * h * w * c);
  std::vector<TfLiteTensor> t = {
      Tensor(kTfLiteInt8, {batch, h, w, c}, input, {scale}, {zp}),
      Tensor(kTfLiteInt8, {batch, oh, ow, c}, std::vector<int8_t>{}, {scale}, {zp})};
  TfLitePoolParams params = {};
  params.padding = padding;
  params.stride_width = sw;
  params.stride_height = sh;
  params.filter_width = fw;
  params.filter_height = fh;
  params.activation = act;
  bool ok = Run(average ? tflite::Register_AVERAGE_POOL_2D() : tflite::Register_MAX_POOL_2D(), t, 1, &params);
  Begin(average ? "average_pool" : "max_pool");
  Ints("in_shape", std::vector<int>{batch, h, w, c}); Ints("out_shape", std::vector<int>{batch, oh, ow, c});
  Int("padding", padding == kTfLitePaddingSame ? 0 : 1); Int("stride_h", sh); Int("stride_w", sw);
  Int("filter_h", fh); Int("filter_w", fw); Int("activation", act);
  Float("scale", scale); Int("zp", zp); Ints("input", input); Status(ok);
  if (ok) Ints("expect", Data<int8_t>(t[1]));
  End();
}

// --- gemmlowp fixed point, called directly ---------------------------------------------------
void FixedPoint(Rng& rng) {
  using F0 = gemmlowp::FixedPoint<int32_t, 0>;
  std::vector<int32_t> x5, exp5, x4, logistic4, x0, one_over, xr, recip, bits;
  for (int i = 0; i < 400; ++i) {
    int32_t x = i < 40 ? -(i << 24) : -static_cast<int32_t>(rng.Next() & 0x7FFFFFFF);
    x5.push_back(x);
    exp5.push_back(gemmlowp::exp_on_negative_values(gemmlowp::FixedPoint<int32_t, 5>::FromRaw(x)).raw());
  }
  for (int i = 0; i < 400; ++i) {
    int32_t x = i < 3 ? (i == 0 ? 0 : i == 1 ? INT32_MAX : INT32_MIN + 1) : static_cast<int32_t>(rng.Next());
    x4.push_back(x);
    logistic4.push_back(gemmlowp::logistic(gemmlowp::FixedPoint<int32_t, 4>::FromRaw(x)).raw());
  }
  for (int i = 0; i < 400; ++i) {
    int32_t x = i < 2 ? (i == 0 ? 0 : INT32_MAX) : static_cast<int32_t>(rng.Next() & 0x7FFFFFFF);
    x0.push_back(x);
    one_over.push_back(gemmlowp::one_over_one_plus_x_for_x_in_0_1(F0::FromRaw(x)).raw());
  }
  for (int i = 0; i < 400; ++i) {
    int32_t x = i < 2 ? (i == 0 ? 1 << 19 : INT32_MAX) : static_cast<int32_t>((rng.Next() & 0x7FFFFFFF) | 1);
    int n = 0;
    xr.push_back(x);
    recip.push_back(tflite::GetReciprocal(x, 12, &n));
    bits.push_back(n);
  }
  Begin("exp_on_negative_values_q5"); Ints("input", x5); Ints("expect", exp5); End();
  Begin("logistic_q4"); Ints("input", x4); Ints("expect", logistic4); End();
  Begin("one_over_one_plus_x"); Ints("input", x0); Ints("expect", one_over); End();
  Begin("get_reciprocal_q12"); Ints("input", xr); Ints("expect", recip); Ints("expect_bits", bits); End();
}

}  // namespace

int main() {
  Rng rng{20261125};
  FixedPoint(rng);
  for (int i = 0; i < 30; ++i) Softmax(rng, false);
  for (int i = 0; i < 10; ++i) Softmax(rng, true);
  for (int i = 0; i < 20; ++i) Logistic(rng);
  for (int i = 0; i < 60; ++i) Add(rng);
  for (int i = 0; i < 40; ++i) Mean(rng);
  for (int i = 0; i < 15; ++i) Concatenation(rng, false);
  for (int i = 0; i < 5; ++i) Concatenation(rng, true);
  for (int i = 0; i < 15; ++i) Pad(rng, false);
  for (int i = 0; i < 10; ++i) Pad(rng, true);
  for (int i = 0; i < 10; ++i) QuantizeFloat(rng);
  for (int i = 0; i < 6; ++i) Requantize(rng, kTfLiteInt8, kTfLiteInt8);
  for (int i = 0; i < 6; ++i) Requantize(rng, kTfLiteInt8, kTfLiteUInt8);
  for (int i = 0; i < 6; ++i) Requantize(rng, kTfLiteUInt8, kTfLiteInt8);
  for (int i = 0; i < 5; ++i) Dequantize(rng, kTfLiteInt8);
  for (int i = 0; i < 5; ++i) Dequantize(rng, kTfLiteUInt8);
  for (int i = 0; i < 30; ++i) StridedSlice(rng, false);
  for (int i = 0; i < 20; ++i) StridedSlice(rng, true);
  for (int i = 0; i < 10; ++i) Pack(rng, false);
  for (int i = 0; i < 10; ++i) Pack(rng, true);
  for (int i = 0; i < 30; ++i) Conv(rng, false);
  for (int i = 0; i < 25; ++i) Conv(rng, true);
  for (int i = 0; i < 15; ++i) FullyConnected(rng, false);
  for (int i = 0; i < 15; ++i) FullyConnected(rng, true);
  for (int i = 0; i < 20; ++i) Pool(rng, true);
  for (int i = 0; i < 15; ++i) Pool(rng, false);
  return 0;
}
