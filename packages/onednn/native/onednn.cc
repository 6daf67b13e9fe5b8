// oneDNN convolutions on memory JavaScript owns (the wasm backend's heap): forward, gradient of the input and
// gradient of the filter, for NHWC activations and tfjs's HWIO filters; and train-mode batch normalisation
// (statistics and normalisation in one pass, and its gradient).
//
// One entry point per pass would triple the argument checking; `conv(pass, ...)` takes the pass as a number.
// Primitives are created once per geometry and cached per thread: oneDNN JIT-compiles each one (~1 ms), and
// detlab's data-parallel replicas call in from several worker threads, so nothing here is shared between threads.
#include <node_api.h>
#include <omp.h>

#include <oneapi/dnnl/dnnl.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace {

using dnnl::memory;
using tag = memory::format_tag;
using dt = memory::data_type;

enum Pass : int32_t { kForward = 0, kInputGrad = 1, kFilterGrad = 2 };

// Sizes of one forward convolution, in the order JavaScript packs them (see src/index.ts, GEOMETRY_FIELDS).
struct Geometry {
  int64_t batch, in_h, in_w, in_c, out_c, k_h, k_w, out_h, out_w;
  int64_t stride_h, stride_w, dilation_h, dilation_w, pad_top, pad_left, pad_bottom, pad_right;
};
constexpr size_t kGeometryFields = sizeof(Geometry) / sizeof(int64_t);

struct Plan {
  dnnl::primitive primitive;
  // The filter layout the primitive wants; tfjs's HWIO is reordered into (or, for the filter gradient, out of)
  // `filter_scratch` when it differs, which it does for the blocked layouts of the fast JIT kernels.
  bool reorder_filter = false;
  memory filter_scratch;
};

struct ThreadState {
  // The count setThreads asked for; small problems run on one thread (see ScopedThreads).
  int threads = omp_get_max_threads();
  dnnl::engine engine{dnnl::engine::kind::cpu, 0};
  dnnl::stream stream{engine};
  std::unordered_map<std::string, std::unique_ptr<Plan>> plans;
  std::unordered_map<std::string, dnnl::primitive> norms;
  // Reordered-filter buffers, one per layout: plans of the same filter at other image sizes (evaluation on
  // images of many sizes) share one instead of each holding a copy of the weights.
  std::vector<memory> filter_buffers;
};

// A run sees a handful of geometries per model; this bound only matters for inputs of ever-changing size.
constexpr size_t kMaxPlans = 512;

ThreadState& state() {
  thread_local ThreadState s;
  return s;
}

// Work below which one thread beats several: on small convolutions (a tiny ATSS's 1–20 M multiply-adds) two
// OpenMP threads made oneDNN about 2× slower than one, measured on 2 cores, while ResNet-50's (≥ 100 M) gain.
constexpr int64_t kParallelMacs = int64_t{64} << 20;
constexpr int64_t kParallelElements = int64_t{1} << 20;

// Sets OpenMP's thread count for one call (creation and execution: a primitive is made for the count it
// runs with), and puts the configured count back afterwards.
class ScopedThreads {
 public:
  explicit ScopedThreads(bool parallel) : threads_(parallel ? state().threads : 1) { omp_set_num_threads(threads_); }
  ~ScopedThreads() { omp_set_num_threads(state().threads); }
  int count() const { return threads_; }

 private:
  int threads_;
};

memory::desc activations(int64_t n, int64_t c, int64_t h, int64_t w) { return {{n, c, h, w}, dt::f32, tag::nhwc}; }
memory::desc filter(const Geometry& g, tag layout) { return {{g.out_c, g.in_c, g.k_h, g.k_w}, dt::f32, layout}; }
memory::desc input(const Geometry& g) { return activations(g.batch, g.in_c, g.in_h, g.in_w); }
memory::desc output(const Geometry& g) { return activations(g.batch, g.out_c, g.out_h, g.out_w); }

std::string keyOf(int32_t pass, const Geometry& g) {
  std::string key = std::to_string(pass);
  const int64_t* fields = &g.batch;
  for (size_t i = 0; i < kGeometryFields; i++) key += ',' + std::to_string(fields[i]);
  return key;
}

// A buffer for filters in layout `desc`: calls are synchronous, so plans needing the same layout can share one.
memory filterBuffer(ThreadState& s, const memory::desc& desc) {
  for (const memory& buffer : s.filter_buffers) {
    if (buffer.get_desc() == desc) return buffer;
  }
  s.filter_buffers.emplace_back(desc, s.engine);
  return s.filter_buffers.back();
}

Plan& planFor(int32_t pass, const Geometry& g, int threads) {
  ThreadState& s = state();
  const std::string key = keyOf(pass, g) + '@' + std::to_string(threads);
  auto found = s.plans.find(key);
  if (found != s.plans.end()) return *found->second;
  if (s.plans.size() >= kMaxPlans) {
    s.plans.clear();
    s.filter_buffers.clear();
  }

  // oneDNN counts dilation from 0 (0 = dense); tfjs from 1.
  const memory::dims strides{g.stride_h, g.stride_w}, dilation{g.dilation_h - 1, g.dilation_w - 1};
  const memory::dims pad_before{g.pad_top, g.pad_left}, pad_after{g.pad_bottom, g.pad_right};
  const memory::desc any_filter = filter(g, tag::any);
  using dnnl::algorithm;
  using dnnl::convolution_forward;
  const convolution_forward::desc forward_desc(dnnl::prop_kind::forward_training, algorithm::convolution_direct, input(g),
                                               any_filter, output(g), strides, dilation, pad_before, pad_after);
  const convolution_forward::primitive_desc forward(forward_desc, s.engine);

  auto plan = std::make_unique<Plan>();
  memory::desc wanted;
  if (pass == kForward) {
    plan->primitive = convolution_forward(forward);
    wanted = forward.weights_desc();
  } else if (pass == kInputGrad) {
    using dnnl::convolution_backward_data;
    const convolution_backward_data::desc desc(algorithm::convolution_direct, input(g), any_filter, output(g), strides,
                                               dilation, pad_before, pad_after);
    const convolution_backward_data::primitive_desc pd(desc, s.engine, forward);
    plan->primitive = convolution_backward_data(pd);
    wanted = pd.weights_desc();
  } else {
    using dnnl::convolution_backward_weights;
    const convolution_backward_weights::desc desc(algorithm::convolution_direct, input(g), any_filter, output(g),
                                                  strides, dilation, pad_before, pad_after);
    const convolution_backward_weights::primitive_desc pd(desc, s.engine, forward);
    plan->primitive = convolution_backward_weights(pd);
    wanted = pd.diff_weights_desc();
  }
  plan->reorder_filter = wanted != filter(g, tag::hwio);
  if (plan->reorder_filter) plan->filter_scratch = filterBuffer(s, wanted);
  Plan& made = *plan;
  s.plans.emplace(key, std::move(plan));
  return made;
}

void run(int32_t pass, const Geometry& g, uint8_t* a, uint8_t* b, uint8_t* out) {
  const ScopedThreads threads(g.batch * g.out_h * g.out_w * g.out_c * g.k_h * g.k_w * g.in_c >= kParallelMacs);
  Plan& plan = planFor(pass, g, threads.count());
  ThreadState& s = state();
  const memory::desc hwio = filter(g, tag::hwio);
  if (pass == kFilterGrad) {
    memory x(input(g), s.engine, a), dy(output(g), s.engine, b), dw(hwio, s.engine, out);
    memory target = plan.reorder_filter ? plan.filter_scratch : dw;  // handles: copies share the buffer
    plan.primitive.execute(s.stream, {{DNNL_ARG_SRC, x}, {DNNL_ARG_DIFF_DST, dy}, {DNNL_ARG_DIFF_WEIGHTS, target}});
    if (plan.reorder_filter) dnnl::reorder(target, dw).execute(s.stream, target, dw);
  } else {
    memory w(hwio, s.engine, b);
    if (plan.reorder_filter) dnnl::reorder(w, plan.filter_scratch).execute(s.stream, w, plan.filter_scratch);
    memory weights = plan.reorder_filter ? plan.filter_scratch : w;
    if (pass == kForward) {
      memory x(input(g), s.engine, a), y(output(g), s.engine, out);
      plan.primitive.execute(s.stream, {{DNNL_ARG_SRC, x}, {DNNL_ARG_WEIGHTS, weights}, {DNNL_ARG_DST, y}});
    } else {
      memory dy(output(g), s.engine, a), dx(input(g), s.engine, out);
      plan.primitive.execute(s.stream, {{DNNL_ARG_DIFF_DST, dy}, {DNNL_ARG_WEIGHTS, weights}, {DNNL_ARG_DIFF_SRC, dx}});
    }
  }
  s.stream.wait();
}

// Train-mode batch normalisation of NHWC x over N, H, W, with scale γ and shift β per channel.
enum NormPass : int32_t { kNormForward = 0, kNormBackward = 1 };

dnnl::primitive& normFor(int32_t pass, const memory::desc& data, float epsilon, int threads) {
  ThreadState& s = state();
  const auto& d = data.dims();
  const std::string key = std::to_string(threads) + '@' + std::to_string(pass) + ',' + std::to_string(d[0]) + ',' + std::to_string(d[1]) + ',' +
                          std::to_string(d[2]) + ',' + std::to_string(d[3]) + ',' + std::to_string(epsilon);
  auto found = s.norms.find(key);
  if (found != s.norms.end()) return found->second;
  if (s.norms.size() >= kMaxPlans) s.norms.clear();
  using dnnl::batch_normalization_backward;
  using dnnl::batch_normalization_forward;
  const auto flags = dnnl::normalization_flags::use_scale | dnnl::normalization_flags::use_shift;
  const batch_normalization_forward::primitive_desc forward(
      batch_normalization_forward::desc(dnnl::prop_kind::forward_training, data, epsilon, flags), s.engine);
  dnnl::primitive made;
  if (pass == kNormForward) {
    made = batch_normalization_forward(forward);
  } else {
    made = batch_normalization_backward(batch_normalization_backward::primitive_desc(
        batch_normalization_backward::desc(dnnl::prop_kind::backward, data, data, epsilon, flags), s.engine, forward));
  }
  return s.norms.emplace(key, made).first->second;
}

// The tensors of each pass, in the order of the offsets JavaScript passes: true for the full-size ones.
constexpr bool kNormForwardTensors[] = {true, false, false, true, false, false};          // x, γ, β → y, mean, variance
constexpr bool kNormBackwardTensors[] = {true, false, false, true, false, true, false, false};  // x, mean, var, dy, γ → dx, dγ, dβ

void runNorm(int32_t pass, const memory::desc& data, float epsilon, uint8_t* const* t) {
  ThreadState& s = state();
  const auto& d = data.dims();
  const ScopedThreads threads(d[0] * d[1] * d[2] * d[3] >= kParallelElements);
  dnnl::primitive& norm = normFor(pass, data, epsilon, threads.count());
  const memory::desc channels({data.dims()[1]}, dt::f32, tag::a);
  auto full = [&](uint8_t* p) { return memory(data, s.engine, p); };
  auto perChannel = [&](uint8_t* p) { return memory(channels, s.engine, p); };
  if (pass == kNormForward) {
    norm.execute(s.stream, {{DNNL_ARG_SRC, full(t[0])}, {DNNL_ARG_SCALE, perChannel(t[1])}, {DNNL_ARG_SHIFT, perChannel(t[2])},
                            {DNNL_ARG_DST, full(t[3])}, {DNNL_ARG_MEAN, perChannel(t[4])}, {DNNL_ARG_VARIANCE, perChannel(t[5])}});
  } else {
    norm.execute(s.stream, {{DNNL_ARG_SRC, full(t[0])}, {DNNL_ARG_MEAN, perChannel(t[1])}, {DNNL_ARG_VARIANCE, perChannel(t[2])},
                            {DNNL_ARG_DIFF_DST, full(t[3])}, {DNNL_ARG_SCALE, perChannel(t[4])},
                            // oneDNN 2.x asks for β too, though only a fused ReLU's gradient reads it: γ stands in.
                            {DNNL_ARG_SHIFT, perChannel(t[4])}, {DNNL_ARG_DIFF_SRC, full(t[5])},
                            {DNNL_ARG_DIFF_SCALE, perChannel(t[6])}, {DNNL_ARG_DIFF_SHIFT, perChannel(t[7])}});
  }
  s.stream.wait();
}

napi_value fail(napi_env env, const std::string& message) {
  napi_throw_error(env, "ERR_DETLAB_ONEDNN", message.c_str());
  return nullptr;
}

// Argument checks shared by the entry points. Each returns nullptr (or false) for a bad argument; the caller says
// which one.

// The bytes of a typed-array argument: the heap (for tfjs, a Uint8Array over the wasm memory).
uint8_t* bytesOf(napi_env env, napi_value value, size_t* bytes) {
  napi_typedarray_type type;
  size_t length, view_offset;
  void* data;
  napi_value buffer;
  if (napi_get_typedarray_info(env, value, &type, &length, &data, &buffer, &view_offset) != napi_ok) return nullptr;
  const size_t element = type == napi_float64_array || type == napi_bigint64_array || type == napi_biguint64_array ? 8
                         : type == napi_float32_array || type == napi_int32_array || type == napi_uint32_array   ? 4
                         : type == napi_int16_array || type == napi_uint16_array                                 ? 2
                                                                                                                 : 1;
  *bytes = length * element;
  return static_cast<uint8_t*>(data);
}

// The data and length of a typed-array argument of type `wanted`; false for anything else.
bool typedArrayOf(napi_env env, napi_value value, napi_typedarray_type wanted, void** data, size_t* length) {
  napi_typedarray_type type;
  size_t view_offset;
  napi_value buffer;
  return napi_get_typedarray_info(env, value, &type, length, data, &buffer, &view_offset) == napi_ok && type == wanted;
}

// The values of a Float64Array argument of `length` elements.
const double* float64Values(napi_env env, napi_value value, size_t length) {
  void* data;
  size_t actual;
  if (!typedArrayOf(env, value, napi_float64_array, &data, &actual) || actual != length) return nullptr;
  return static_cast<const double*>(data);
}

bool isWhole(double v, double low, double high) { return v >= low && v <= high && v == static_cast<double>(static_cast<int64_t>(v)); }

// heap + at, when `at` is a byte offset with `needed` bytes of room before the heap's end.
uint8_t* tensorAt(uint8_t* heap, size_t heap_bytes, double at, size_t needed) {
  if (!isWhole(at, 0, 9e15) || static_cast<size_t>(at) + needed > heap_bytes) return nullptr;
  return heap + static_cast<size_t>(at);
}

const std::string kNoRoom = " is not a byte offset with room for its tensor in the heap";

// conv(pass, heap, aOffset, bOffset, outOffset, geometry): pass 0 reads x (a) and the filter (b) into y (out);
// pass 1 reads dy (a) and the filter (b) into dx; pass 2 reads x (a) and dy (b) into dW. Offsets are in bytes
// into `heap`, any typed array (for tfjs: the wasm module's HEAPU8); the geometry is a Float64Array.
napi_value Conv(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  if (argc != 6) return fail(env, "conv: expected (pass, heap, aOffset, bOffset, outOffset, geometry)");
  int32_t pass;
  if (napi_get_value_int32(env, argv[0], &pass) != napi_ok || pass < kForward || pass > kFilterGrad)
    return fail(env, "conv: pass must be 0 (forward), 1 (input gradient) or 2 (filter gradient)");
  const double* values = float64Values(env, argv[5], kGeometryFields);
  if (values == nullptr) return fail(env, "conv: geometry must be a Float64Array of " + std::to_string(kGeometryFields) + " sizes");
  Geometry g;
  int64_t* fields = &g.batch;
  for (size_t i = 0; i < kGeometryFields; i++) {
    if (!isWhole(values[i], 0, 1e9)) return fail(env, "conv: geometry entry " + std::to_string(i) + " is not a size");
    fields[i] = static_cast<int64_t>(values[i]);
  }
  size_t heap_bytes;
  uint8_t* heap = bytesOf(env, argv[1], &heap_bytes);
  if (heap == nullptr) return fail(env, "conv: heap must be a typed array");
  const size_t f = sizeof(float);
  const size_t x_bytes = g.batch * g.in_h * g.in_w * g.in_c * f, y_bytes = g.batch * g.out_h * g.out_w * g.out_c * f;
  const size_t w_bytes = g.k_h * g.k_w * g.in_c * g.out_c * f;
  const size_t sizes[3][3] = {{x_bytes, w_bytes, y_bytes}, {y_bytes, w_bytes, x_bytes}, {x_bytes, y_bytes, w_bytes}};
  uint8_t* tensors[3];
  for (int i = 0; i < 3; i++) {
    double at = -1;
    napi_get_value_double(env, argv[2 + i], &at);
    tensors[i] = tensorAt(heap, heap_bytes, at, sizes[pass][i]);
    if (tensors[i] == nullptr) return fail(env, "conv: argument " + std::to_string(3 + i) + kNoRoom);
  }
  try {
    run(pass, g, tensors[0], tensors[1], tensors[2]);
  } catch (const std::exception& e) {  // dnnl::error included
    return fail(env, std::string("oneDNN: ") + e.what());
  }
  return nullptr;
}

// batchNorm(pass, heap, offsets: Float64Array, shape: Float64Array [n, h, w, c], epsilon): pass 0 reads x, γ, β
// and writes y, the batch mean and the biased batch variance; pass 1 reads x, mean, variance, dy, γ and writes dx,
// dγ, dβ. Offsets are byte offsets into `heap`, in that order.
napi_value BatchNorm(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  if (argc != 5) return fail(env, "batchNorm: expected (pass, heap, offsets, shape, epsilon)");
  int32_t pass;
  if (napi_get_value_int32(env, argv[0], &pass) != napi_ok || (pass != kNormForward && pass != kNormBackward))
    return fail(env, "batchNorm: pass must be 0 (forward) or 1 (backward)");
  const size_t count = pass == kNormForward ? 6 : 8;
  const bool* is_full = pass == kNormForward ? kNormForwardTensors : kNormBackwardTensors;
  const double* shape = float64Values(env, argv[3], 4);
  if (shape == nullptr) return fail(env, "batchNorm: shape must be a Float64Array [n, h, w, c]");
  int64_t dims[4];
  for (int i = 0; i < 4; i++) {
    if (!isWhole(shape[i], 1, 1e9)) return fail(env, "batchNorm: shape entries must be positive sizes");
    dims[i] = static_cast<int64_t>(shape[i]);
  }
  double epsilon;
  if (napi_get_value_double(env, argv[4], &epsilon) != napi_ok || !(epsilon > 0)) return fail(env, "batchNorm: epsilon must be a positive number");
  const double* offsets = float64Values(env, argv[2], count);
  if (offsets == nullptr) return fail(env, "batchNorm: offsets must be a Float64Array of " + std::to_string(count) + " byte offsets");
  size_t heap_bytes;
  uint8_t* heap = bytesOf(env, argv[1], &heap_bytes);
  if (heap == nullptr) return fail(env, "batchNorm: heap must be a typed array");
  const size_t full_bytes = static_cast<size_t>(dims[0] * dims[1] * dims[2] * dims[3]) * sizeof(float);
  const size_t channel_bytes = static_cast<size_t>(dims[3]) * sizeof(float);
  uint8_t* tensors[8];
  for (size_t i = 0; i < count; i++) {
    tensors[i] = tensorAt(heap, heap_bytes, offsets[i], is_full[i] ? full_bytes : channel_bytes);
    if (tensors[i] == nullptr) return fail(env, "batchNorm: offset " + std::to_string(i) + kNoRoom);
  }
  // oneDNN names dims N, C, H, W whatever the layout; nhwc says where each lives.
  const memory::desc desc({dims[0], dims[3], dims[1], dims[2]}, dt::f32, tag::nhwc);
  try {
    runNorm(pass, desc, static_cast<float>(epsilon), tensors);
  } catch (const std::exception& e) {
    return fail(env, std::string("oneDNN: ") + e.what());
  }
  return nullptr;
}

// sgdStep(heap, offsets: Float64Array [param, grad, buffer, paramOut, bufferOut], count, hyper: Float64Array
// [lr, momentum, dampening, weight_decay, nesterov, first]): one torch.optim.SGD update of `count` floats in one
// pass, in float32 arithmetic in torch's order of operations:
//   d = g + wd·p;  buf = first ? d : m·buf + (1 − dampening)·d;  d = nesterov ? d + m·buf : buf;  p' = p − lr·d.
// Without momentum the buffer offsets are ignored (pass −1). tfjs's route is seven full-size kernels per parameter.
napi_value SgdStep(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  if (argc != 4) return fail(env, "sgdStep: expected (heap, offsets, count, hyper)");
  double count_value;
  if (napi_get_value_double(env, argv[2], &count_value) != napi_ok || !isWhole(count_value, 0, 9e15))
    return fail(env, "sgdStep: count must be a size");
  const size_t count = static_cast<size_t>(count_value);
  const double* h = float64Values(env, argv[3], 6);
  if (h == nullptr) return fail(env, "sgdStep: hyper must be a Float64Array [lr, momentum, dampening, weight_decay, nesterov, first]");
  const float lr = static_cast<float>(h[0]), momentum = static_cast<float>(h[1]), keep = static_cast<float>(1.0 - h[2]);
  const float decay = static_cast<float>(h[3]);
  const bool nesterov = h[4] != 0, first = h[5] != 0, with_momentum = h[1] != 0;
  const double* offsets = float64Values(env, argv[1], 5);
  if (offsets == nullptr) return fail(env, "sgdStep: offsets must be a Float64Array of 5 byte offsets");
  size_t heap_bytes;
  uint8_t* heap = bytesOf(env, argv[0], &heap_bytes);
  if (heap == nullptr) return fail(env, "sgdStep: heap must be a typed array");
  float* t[5];
  for (int i = 0; i < 5; i++) {
    const bool is_buffer = i == 2 || i == 4;
    // Without momentum there is no buffer, and the first step reads none.
    if (is_buffer && (!with_momentum || (i == 2 && first))) {
      t[i] = nullptr;
      continue;
    }
    t[i] = reinterpret_cast<float*>(tensorAt(heap, heap_bytes, offsets[i], count * sizeof(float)));
    if (t[i] == nullptr) return fail(env, "sgdStep: offset " + std::to_string(i) + kNoRoom);
  }
  float *p = t[0], *g = t[1], *buf = t[2], *p_out = t[3], *buf_out = t[4];
  // Small parameters (biases, BatchNorm's γ and β) are not worth waking the other threads for.
  const long n = static_cast<long>(count);
#pragma omp parallel for schedule(static) if (n > 65536)
  for (long i = 0; i < n; i++) {
    float d = g[i] + decay * p[i];
    if (with_momentum) {
      const float b = first ? d : momentum * buf[i] + keep * d;
      buf_out[i] = b;
      d = nesterov ? d + momentum * b : b;
    }
    p_out[i] = p[i] - lr * d;
  }
  return nullptr;
}

// axpby(out, x, alpha, y, beta): out[i] = alpha·x[i] + beta·y[i] over Float32Arrays of one length, in float32.
// The arrays may lie in different memories: data-parallel training averages the wasm heap's gradients with a
// replica's, which lie in a SharedArrayBuffer, in one pass instead of a copy and three full-size kernels.
napi_value Axpby(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  if (argc != 5) return fail(env, "axpby: expected (out, x, alpha, y, beta)");
  float* arrays[3];
  size_t lengths[3];
  const int positions[3] = {0, 1, 3};
  const char* names[3] = {"out", "x", "y"};
  for (int i = 0; i < 3; i++) {
    void* data;
    if (!typedArrayOf(env, argv[positions[i]], napi_float32_array, &data, &lengths[i]))
      return fail(env, std::string("axpby: ") + names[i] + " must be a Float32Array");
    arrays[i] = static_cast<float*>(data);
  }
  if (lengths[1] != lengths[0] || lengths[2] != lengths[0])
    return fail(env, "axpby: out, x and y must have the same length (" + std::to_string(lengths[0]) + ", " +
                         std::to_string(lengths[1]) + ", " + std::to_string(lengths[2]) + ")");
  double alpha, beta;
  if (napi_get_value_double(env, argv[2], &alpha) != napi_ok || napi_get_value_double(env, argv[4], &beta) != napi_ok)
    return fail(env, "axpby: alpha and beta must be numbers");
  const float a = static_cast<float>(alpha), b = static_cast<float>(beta);
  const float *x = arrays[1], *y = arrays[2];
  float* out = arrays[0];
  const long n = static_cast<long>(lengths[0]);
#pragma omp parallel for schedule(static) if (n > 65536)
  for (long i = 0; i < n; i++) out[i] = a * x[i] + b * y[i];
  return nullptr;
}

// setThreads(n): OpenMP threads for this JavaScript thread's later calls (OpenMP keeps the count per thread).
napi_value SetThreads(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  int32_t n;
  if (argc != 1 || napi_get_value_int32(env, argv[0], &n) != napi_ok || n < 1) return fail(env, "setThreads: expected a count ≥ 1");
  state().threads = n;
  omp_set_num_threads(n);
  return nullptr;
}

napi_value Threads(napi_env env, napi_callback_info) {
  napi_value result;
  napi_create_int32(env, omp_get_max_threads(), &result);
  return result;
}

napi_value Version(napi_env env, napi_callback_info) {
  const dnnl_version_t* v = dnnl_version();
  const std::string text = std::to_string(v->major) + '.' + std::to_string(v->minor) + '.' + std::to_string(v->patch);
  napi_value result;
  napi_create_string_utf8(env, text.c_str(), text.size(), &result);
  return result;
}

napi_value Init(napi_env env, napi_value exports) {
  const napi_property_descriptor functions[] = {
      {"conv", nullptr, Conv, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"batchNorm", nullptr, BatchNorm, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"sgdStep", nullptr, SgdStep, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"axpby", nullptr, Axpby, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"setThreads", nullptr, SetThreads, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"threads", nullptr, Threads, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"version", nullptr, Version, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
  };
  napi_define_properties(env, exports, sizeof(functions) / sizeof(functions[0]), functions);
  return exports;
}

}  // namespace

NAPI_MODULE_INIT() { return Init(env, exports); }
