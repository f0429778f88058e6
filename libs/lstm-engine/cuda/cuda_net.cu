#include "cuda_net.h"

#include "../native/fast_math.h"
#include "../native/net_parts.h"

#include <cuda_runtime.h>
#include <dlfcn.h>

#include <algorithm>
#include <cstdlib>
#include <atomic>
#include <cmath>
#include <cstring>
#include <mutex>
#include <stdexcept>

namespace lstm {
namespace {

void check(cudaError_t status, const char* what) {
  if (status != cudaSuccess) throw std::runtime_error(std::string(what) + ": " + cudaGetErrorString(status));
}
#define CUDA_CHECK(call) check((call), #call)

// cuBLAS, loaded at run time: its headers are not needed to build, and the addon loads where it is absent
// (and says so when a network is made). Only what the engine calls, with cuBLAS's C signatures.
struct Cublas {
  using Create = int (*)(void**);
  using Destroy = int (*)(void*);
  using SetStream = int (*)(void*, cudaStream_t);
  using Sgemm = int (*)(void*, int, int, int, int, int, const float*, const float*, int, const float*, int, const float*, float*, int);
  Create create = nullptr;
  Destroy destroy = nullptr;
  SetStream setStream = nullptr;
  Sgemm sgemm = nullptr;
  std::string error;
};

const Cublas& cublas() {
  static Cublas lib;
  static std::once_flag once;
  std::call_once(once, [] {
    const char* override = std::getenv("TUNEFORGE_CUBLAS");
    const char* names[] = {override, "libcublas.so.13", "libcublas.so.12", "/usr/local/cuda/lib64/libcublas.so.13",
                           "/usr/local/cuda-13.0/targets/x86_64-linux/lib/libcublas.so.13", "libcublas.so"};
    void* handle = nullptr;
    for (const char* name : names)
      if (name && (handle = dlopen(name, RTLD_NOW | RTLD_LOCAL))) break;
    if (!handle) {
      const char* why = dlerror();
      lib.error = std::string("cuBLAS did not load (libcublas.so.13 or .12; TUNEFORGE_CUBLAS names another): ") + (why ? why : "");
      return;
    }
    lib.create = reinterpret_cast<Cublas::Create>(dlsym(handle, "cublasCreate_v2"));
    lib.destroy = reinterpret_cast<Cublas::Destroy>(dlsym(handle, "cublasDestroy_v2"));
    lib.setStream = reinterpret_cast<Cublas::SetStream>(dlsym(handle, "cublasSetStream_v2"));
    lib.sgemm = reinterpret_cast<Cublas::Sgemm>(dlsym(handle, "cublasSgemm_v2"));
    if (!lib.create || !lib.destroy || !lib.setStream || !lib.sgemm) lib.error = "cuBLAS loaded without cublasCreate_v2, cublasSetStream_v2 or cublasSgemm_v2";
  });
  return lib;
}

constexpr int kOpN = 0, kOpT = 1;  // cublasOperation_t
constexpr int kThreads = 256;

inline unsigned blocksFor(size_t n) { return static_cast<unsigned>(std::min<size_t>((n + kThreads - 1) / kThreads, 65535 * 8)); }

// The CPU engine's activations, shared with it (fast_math.h).
__device__ __forceinline__ float dTanh(float x) { return fast_tanh(x); }
__device__ __forceinline__ float dHardSigmoid(float x) { return hard_sigmoid(x); }
__device__ __forceinline__ float dHardSigmoidGrad(float y) { return hard_sigmoid_grad(y); }

#define GRID_STRIDE(i, n) for (size_t i = blockIdx.x * static_cast<size_t>(blockDim.x) + threadIdx.x; i < (n); i += static_cast<size_t>(blockDim.x) * gridDim.x)

// Samples (rows `indices`, or `offset` on) into time-major steps: ids [T*B], or features [T*B, F].
__global__ void gatherKernel(const float* x, const int32_t* indices, size_t offset, size_t B, size_t T, int F, bool ids, float* input, int32_t* idsOut) {
  GRID_STRIDE(k, T * B * (ids ? 1 : F)) {
    const size_t f = ids ? 0 : k % F;
    const size_t r = ids ? k : k / F;  // r = t * B + b
    const size_t t = r / B, b = r % B;
    const size_t s = indices ? static_cast<size_t>(indices[b]) : offset + b;
    if (ids) idsOut[r] = static_cast<int32_t>(x[s * T + t]);
    else input[r * F + f] = x[(s * T + t) * F + f];
  }
}

__global__ void gatherTargets(const float* y, const int32_t* indices, size_t offset, size_t B, int width, float* out) {
  GRID_STRIDE(k, B * width) {
    const size_t b = k / width;
    const size_t s = indices ? static_cast<size_t>(indices[b]) : offset + b;
    out[k] = y[s * width + k % width];
  }
}

__global__ void embedKernel(const int32_t* ids, const float* table, size_t rows, int E, float* out) {
  GRID_STRIDE(k, rows * E) { out[k] = table[static_cast<size_t>(ids[k / E]) * E + k % E]; }
}

// The embedding's gradient: for each table entry, the sum of the gradients of the rows that read it (in row order: deterministic).
__global__ void embedGradKernel(const int32_t* ids, const float* dx, size_t rows, int V, int E, float* grad) {
  GRID_STRIDE(k, static_cast<size_t>(V) * E) {
    const int v = static_cast<int>(k / E), e = static_cast<int>(k % E);
    float sum = 0;
    for (size_t r = 0; r < rows; r++)
      if (ids[r] == v) sum += dx[r * E + e];
    grad[k] = sum;
  }
}

__global__ void lstmGatesKernel(size_t B, int H, float* z, const float* bias, const float* cPrev, float* cNext, float* tanhCell, float* hNext) {
  GRID_STRIDE(k, B * H) {
    const size_t b = k / H;
    const int j = static_cast<int>(k % H);
    float* zb = z + b * 4 * H;
    const float i = dHardSigmoid(zb[j] + bias[j]);
    const float f = dHardSigmoid(zb[H + j] + bias[H + j]);
    const float g = dTanh(zb[2 * H + j] + bias[2 * H + j]);
    const float o = dHardSigmoid(zb[3 * H + j] + bias[3 * H + j]);
    const float cell = f * cPrev[k] + i * g;
    const float tcell = dTanh(cell);
    zb[j] = i;
    zb[H + j] = f;
    zb[2 * H + j] = g;
    zb[3 * H + j] = o;
    cNext[k] = cell;
    tanhCell[k] = tcell;
    hNext[k] = o * tcell;
  }
}

__global__ void lstmBackwardKernel(size_t B, int H, float* z, const float* cPrev, const float* tanhCell, const float* dh, float* dc) {
  GRID_STRIDE(k, B * H) {
    const size_t b = k / H;
    const int j = static_cast<int>(k % H);
    float* zb = z + b * 4 * H;
    const float i = zb[j], f = zb[H + j], g = zb[2 * H + j], o = zb[3 * H + j];
    const float tcell = tanhCell[k];
    const float dcell = dc[k] + dh[k] * o * (1.0f - tcell * tcell);
    dc[k] = dcell * f;
    zb[j] = dcell * g * dHardSigmoidGrad(i);
    zb[H + j] = dcell * cPrev[k] * dHardSigmoidGrad(f);
    zb[2 * H + j] = dcell * i * (1.0f - g * g);
    zb[3 * H + j] = dh[k] * tcell * dHardSigmoidGrad(o);
  }
}

__global__ void gruGatesKernel(size_t B, int H, float* z, const float* bias, const float* hPrev, float* rh) {
  GRID_STRIDE(k, B * H) {
    const size_t b = k / H;
    const int j = static_cast<int>(k % H);
    float* zb = z + b * 3 * H;
    const float zz = dHardSigmoid(zb[j] + bias[j]);
    const float r = dHardSigmoid(zb[H + j] + bias[H + j]);
    zb[j] = zz;
    zb[H + j] = r;
    rh[k] = r * hPrev[k];
  }
}

__global__ void gruOutputKernel(size_t B, int H, float* z, const float* bias, const float* hPrev, float* hNext) {
  GRID_STRIDE(k, B * H) {
    const size_t b = k / H;
    const int j = static_cast<int>(k % H);
    float* zb = z + b * 3 * H;
    const float zz = zb[j];
    const float hh = dTanh(zb[2 * H + j] + bias[2 * H + j]);
    zb[2 * H + j] = hh;
    hNext[k] = zz * hPrev[k] + (1.0f - zz) * hh;
  }
}

__global__ void gruOutputBackwardKernel(size_t B, int H, float* z, const float* hPrev, float* dh) {
  GRID_STRIDE(k, B * H) {
    const size_t b = k / H;
    const int j = static_cast<int>(k % H);
    float* zb = z + b * 3 * H;
    const float zz = zb[j], hh = zb[2 * H + j], d = dh[k];
    dh[k] = d * zz;
    zb[j] = d * (hPrev[k] - hh) * dHardSigmoidGrad(zz);
    zb[2 * H + j] = d * (1.0f - zz) * (1.0f - hh * hh);
  }
}

__global__ void gruResetBackwardKernel(size_t B, int H, float* z, const float* hPrev, const float* drh, float* dh) {
  GRID_STRIDE(k, B * H) {
    const size_t b = k / H;
    const int j = static_cast<int>(k % H);
    float* zb = z + b * 3 * H;
    const float r = zb[H + j];
    dh[k] += drh[k] * r;
    zb[H + j] = drh[k] * hPrev[k] * dHardSigmoidGrad(r);
  }
}

__global__ void rnnKernel(size_t n, int H, float* z, const float* bias, float* hNext) {
  GRID_STRIDE(k, n) { hNext[k] = z[k] = dTanh(z[k] + bias[k % H]); }
}

__global__ void rnnBackwardKernel(size_t n, float* z, const float* dh) {
  GRID_STRIDE(k, n) { z[k] = dh[k] * (1.0f - z[k] * z[k]); }
}

__global__ void addKernel(size_t n, const float* from, float* to) {
  GRID_STRIDE(k, n) { to[k] += from[k]; }
}

__global__ void broadcastRows(size_t rows, int width, const float* row, float* out) {
  GRID_STRIDE(k, rows * width) { out[k] = row[k % width]; }
}

// Column sums in row order (one thread per column: the same sum every run).
__global__ void columnSumsKernel(const float* rows, size_t count, int width, float* out) {
  GRID_STRIDE(j, static_cast<size_t>(width)) {
    float sum = 0;
    for (size_t r = 0; r < count; r++) sum += rows[r * width + j];
    out[j] = sum;
  }
}

// Forecast loss terms: squared errors, and d(mean)/d(out).
__global__ void mseKernel(size_t n, const float* out, const float* target, float* terms, float* dOut) {
  GRID_STRIDE(k, n) {
    const float diff = out[k] - target[k];
    terms[k] = diff * diff;
    dOut[k] = diff * (2.0f / static_cast<float>(n));
  }
}

// Softmax (in place) and cross-entropy per sample, with tfjs's clipping; d(mean)/d(logits) when targets are given.
__global__ void softmaxKernel(size_t B, int O, float* out, const float* target, float* terms, float* dOut) {
  GRID_STRIDE(b, B) {
    float* row = out + b * O;
    float top = row[0];
    for (int k = 1; k < O; k++) top = fmaxf(top, row[k]);
    float sum = 0;
    for (int k = 0; k < O; k++) sum += (row[k] = expf(row[k] - top));
    for (int k = 0; k < O; k++) row[k] /= sum;
    if (!target) continue;
    const int t = static_cast<int>(target[b]);
    terms[b] = -logf(fminf(1.0f - 1e-7f, fmaxf(1e-7f, row[t])));
    float* d = dOut + b * O;
    for (int k = 0; k < O; k++) d[k] = row[k] / static_cast<float>(B);
    d[t] -= 1.0f / static_cast<float>(B);
  }
}

// One block: the sum of `n` values (squared when asked) in double, in a fixed order, into *out (scaled).
__global__ void reduceKernel(const float* values, size_t n, bool square, double scale, double* out) {
  __shared__ double partial[kThreads];
  double sum = 0;
  for (size_t k = threadIdx.x; k < n; k += blockDim.x) sum += square ? static_cast<double>(values[k]) * values[k] : values[k];
  partial[threadIdx.x] = sum;
  __syncthreads();
  for (int stride = blockDim.x / 2; stride > 0; stride /= 2) {
    if (threadIdx.x < stride) partial[threadIdx.x] += partial[threadIdx.x + stride];
    __syncthreads();
  }
  if (threadIdx.x == 0) *out = partial[0] * scale;
}

// The global-norm clip scale from the parameters' sums of squares.
__global__ void clipScaleKernel(const double* squares, int count, float clipNorm, double* scale) {
  double total = 0;
  for (int i = 0; i < count; i++) total += squares[i];
  const double norm = sqrt(total);
  *scale = clipNorm > 0 && norm > clipNorm ? clipNorm / norm : 1.0;
}

struct StepSettings {
  int kind;  // Optimizer
  float lr, eps, l2, decoupled, b1, b2, oneMinusB1, oneMinusB2, correction1, correction2, momentum, rho, oneMinusRho;
};

// The CPU engine's optimizerStep, per weight.
__global__ void optimizerKernel(size_t n, float* w, float* m, float* v, const float* grad, const double* clip, StepSettings s) {
  const float scale = static_cast<float>(*clip);
  GRID_STRIDE(k, n) {
    const float g = grad[k] * scale + s.l2 * w[k];
    switch (s.kind) {
      case static_cast<int>(Optimizer::Adam):
      case static_cast<int>(Optimizer::AdamW):
        w[k] *= s.decoupled;
        m[k] = m[k] * s.b1 + g * s.oneMinusB1;
        v[k] = v[k] * s.b2 + (g * g) * s.oneMinusB2;
        w[k] += (m[k] / s.correction1) / (sqrtf(v[k] / s.correction2) + s.eps) * -s.lr;
        break;
      case static_cast<int>(Optimizer::Sgd):
        if (s.momentum > 0) {
          m[k] = s.momentum * m[k] + g;
          w[k] += -s.lr * m[k];
        } else {
          w[k] += -s.lr * g;
        }
        break;
      default:  // RMSProp
        v[k] = v[k] * s.rho + (g * g) * s.oneMinusRho;
        m[k] = m[k] * s.momentum + (g * s.lr) / sqrtf(v[k] + s.eps);
        w[k] -= m[k];
        break;
    }
  }
}




std::atomic<int> nextDevice{0};

}  // namespace

std::vector<CudaDevice> CudaNet::devices() {
  int count = 0;
  if (cudaGetDeviceCount(&count) != cudaSuccess) {
    cudaGetLastError();
    return {};
  }
  std::vector<CudaDevice> out;
  for (int i = 0; i < count; i++) {
    cudaDeviceProp prop;
    CUDA_CHECK(cudaGetDeviceProperties(&prop, i));
    CUDA_CHECK(cudaSetDevice(i));
    size_t freeBytes = 0, totalBytes = 0;
    CUDA_CHECK(cudaMemGetInfo(&freeBytes, &totalBytes));
    out.push_back({i, prop.name, freeBytes, totalBytes});
  }
  return out;
}

void* CudaNet::alloc(size_t bytes) {
  void* p = nullptr;
  CUDA_CHECK(cudaMalloc(&p, std::max<size_t>(bytes, 4)));
  CUDA_CHECK(cudaMemsetAsync(p, 0, std::max<size_t>(bytes, 4), static_cast<cudaStream_t>(stream_)));
  owned_.push_back(p);
  return p;
}

void CudaNet::release(void* p) {
  if (!p) return;
  cudaFree(p);
  owned_.erase(std::remove(owned_.begin(), owned_.end(), p), owned_.end());
}

float* CudaNet::deviceCopyOf(const float* host, size_t length, const std::function<void()>& validate) {
  for (DeviceCopy& copy : copies_)
    if (copy.host == host && copy.length == length && copy.device) {
      copy.used = ++uses_;
      return copy.device;
    }
  validate();
  DeviceCopy* slot = &copies_[0];
  for (DeviceCopy& copy : copies_)
    if (copy.used < slot->used) slot = &copy;
  CUDA_CHECK(cudaStreamSynchronize(static_cast<cudaStream_t>(stream_)));
  release(slot->device);
  slot->device = static_cast<float*>(alloc(length * sizeof(float)));
  CUDA_CHECK(cudaMemcpyAsync(slot->device, host, length * sizeof(float), cudaMemcpyHostToDevice, static_cast<cudaStream_t>(stream_)));
  slot->host = host;
  slot->length = length;
  slot->used = ++uses_;
  return slot->device;
}

CudaNet::CudaNet(NetConfig config) : config_(std::move(config)) {
  const NetConfig& c = config_;
  if (c.timesteps <= 0 || c.inputSize <= 0 || c.outputs <= 0) throw InputError("timesteps, inputSize and outputs must be positive integers");
  if (c.hiddenUnits.empty()) throw InputError("hiddenUnits must name at least one layer");
  for (int h : c.hiddenUnits)
    if (h <= 0) throw InputError("every layer's hidden units must be a positive integer");
  if (c.task == Task::Text && c.embeddingDim <= 0) throw InputError("embeddingDim must be a positive integer for the text task");
  if (c.task == Task::Text && c.outputs != c.inputSize) throw InputError("the text task predicts the next id: outputs must equal inputSize (the vocabulary)");
  if (!(c.learningRate > 0) || !std::isfinite(c.learningRate)) throw InputError("learningRate must be a positive number");
  if (!(c.clipNorm >= 0)) throw InputError("clipNorm must be 0 (off) or positive");
  if (c.bidirectional) throw InputError("bidirectional layers are not supported by the CUDA engine yet (the CPU engine trains them)");
  if (c.dropout > 0 || c.recurrentDropout > 0) throw InputError("dropout is not supported by the CUDA engine yet (the CPU engine trains it)");
  if (config_.cells.empty()) config_.cells.assign(c.hiddenUnits.size(), Cell::Lstm);
  if (c.cells.size() != c.hiddenUnits.size()) throw InputError("give one cell per layer");
  if (!cublas().error.empty()) throw std::runtime_error(cublas().error);
  // Only the count: asking each GPU for its memory would open a context (and its memory) on every one of them.
  int gpus = 0;
  if (cudaGetDeviceCount(&gpus) != cudaSuccess || gpus == 0) {
    cudaGetLastError();
    throw std::runtime_error("no GPU is visible");
  }
  // Networks take the GPUs in turn: a worker with several spreads its trials over them.
  device_ = nextDevice.fetch_add(1) % gpus;
  CUDA_CHECK(cudaSetDevice(device_));
  cudaStream_t stream;
  CUDA_CHECK(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking));
  stream_ = stream;
  if (cublas().create(&blas_) != 0) throw std::runtime_error("cublasCreate failed");
  cublas().setStream(blas_, stream);

  int in = c.inputSize;
  if (c.readsIds()) {
    embedding_ = static_cast<int>(params_.size());
    params_.push_back(makeParam("embedding/kernel", {c.inputSize, c.embeddingDim}));
    in = c.embeddingDim;
  }
  for (size_t l = 0; l < c.hiddenUnits.size(); l++) {
    const int h = c.hiddenUnits[l], g = gateBlocks(c.cells[l]) * h;
    const std::string prefix = std::string(cellName(c.cells[l])) + "_" + std::to_string(l + 1) + "/";
    Layer layer;
    layer.cell = c.cells[l];
    layer.in = in;
    layer.hidden = h;
    layer.kernel = static_cast<int>(params_.size());
    params_.push_back(makeParam(prefix + "kernel", {in, g}));
    layer.recurrent = static_cast<int>(params_.size());
    params_.push_back(makeParam(prefix + "recurrent_kernel", {h, g}));
    layer.bias = static_cast<int>(params_.size());
    params_.push_back(makeParam(prefix + "bias", {g}));
    layers_.push_back(layer);
    in = h;
  }
  headKernel_ = static_cast<int>(params_.size());
  params_.push_back(makeParam("dense/kernel", {in, c.outputs}));
  headBias_ = static_cast<int>(params_.size());
  params_.push_back(makeParam("dense/bias", {c.outputs}));
  for (const Param& p : params_) {
    const size_t bytes = p.size() * sizeof(float);
    dparams_.push_back({static_cast<float*>(alloc(bytes)), static_cast<float*>(alloc(bytes)), static_cast<float*>(alloc(bytes)), static_cast<float*>(alloc(bytes))});
  }
  scalars_ = static_cast<double*>(alloc((2 + params_.size()) * sizeof(double)));
  setIterations(0);
}

CudaNet::~CudaNet() {
  cudaSetDevice(device_);
  if (stream_) cudaStreamSynchronize(static_cast<cudaStream_t>(stream_));
  for (void* p : owned_) cudaFree(p);
  if (blas_) cublas().destroy(blas_);
  if (stream_) cudaStreamDestroy(static_cast<cudaStream_t>(stream_));
}

void CudaNet::setIterations(int64_t iterations) {
  if (iterations < 0) throw InputError("iterations must be >= 0");
  iterations_ = iterations;
  accBeta1_ = std::pow(static_cast<float>(config_.beta1), static_cast<float>(iterations + 1));
  accBeta2_ = std::pow(static_cast<float>(config_.beta2), static_cast<float>(iterations + 1));
}

std::vector<Param>& CudaNet::params() {
  if (hostStale_) {
    CUDA_CHECK(cudaSetDevice(device_));
    cudaStream_t stream = static_cast<cudaStream_t>(stream_);
    for (size_t i = 0; i < params_.size(); i++) {
      const size_t bytes = params_[i].size() * sizeof(float);
      CUDA_CHECK(cudaMemcpyAsync(params_[i].value.data(), dparams_[i].value, bytes, cudaMemcpyDeviceToHost, stream));
      CUDA_CHECK(cudaMemcpyAsync(params_[i].grad.data(), dparams_[i].grad, bytes, cudaMemcpyDeviceToHost, stream));
      CUDA_CHECK(cudaMemcpyAsync(params_[i].m.data(), dparams_[i].m, bytes, cudaMemcpyDeviceToHost, stream));
      CUDA_CHECK(cudaMemcpyAsync(params_[i].v.data(), dparams_[i].v, bytes, cudaMemcpyDeviceToHost, stream));
    }
    CUDA_CHECK(cudaStreamSynchronize(stream));
    hostStale_ = false;
  }
  // The caller may write into them (setParam, setAdamMoments): they go back before the next step.
  deviceStale_ = true;
  return params_;
}

void CudaNet::syncToDevice() {
  if (!deviceStale_) return;
  cudaStream_t stream = static_cast<cudaStream_t>(stream_);
  for (size_t i = 0; i < params_.size(); i++) {
    const size_t bytes = params_[i].size() * sizeof(float);
    CUDA_CHECK(cudaMemcpyAsync(dparams_[i].value, params_[i].value.data(), bytes, cudaMemcpyHostToDevice, stream));
    CUDA_CHECK(cudaMemcpyAsync(dparams_[i].m, params_[i].m.data(), bytes, cudaMemcpyHostToDevice, stream));
    CUDA_CHECK(cudaMemcpyAsync(dparams_[i].v, params_[i].v.data(), bytes, cudaMemcpyHostToDevice, stream));
  }
  CUDA_CHECK(cudaStreamSynchronize(stream));
  deviceStale_ = false;
}

void CudaNet::gemm(bool transA, bool transB, int m, int n, int k, const float* a, int lda, const float* b, int ldb, float beta, float* c, int ldc) {
  // Row-major C = op(A) op(B) is column-major C^T = op(B)^T op(A)^T.
  const float one = 1.0f;
  if (cublas().sgemm(blas_, transB ? kOpT : kOpN, transA ? kOpT : kOpN, n, m, k, &one, b, ldb, a, lda, &beta, c, ldc) != 0) throw std::runtime_error("cublasSgemm failed");
}

size_t CudaNet::rowLength() const { return config_.readsIds() ? config_.timesteps : static_cast<size_t>(config_.timesteps) * config_.inputSize; }

void CudaNet::ensureCapacity(size_t B) {
  if (B <= capacity_) return;
  // Grow-only: the buffers of the old capacity stay owned until the network is released (a batch size changes rarely).
  const size_t T = config_.timesteps, TB = T * B;
  const int inputWidth = config_.readsIds() ? config_.embeddingDim : config_.inputSize;
  size_t widest = inputWidth;
  input_ = static_cast<float*>(alloc(TB * inputWidth * sizeof(float)));
  ids_ = static_cast<int32_t*>(alloc(TB * sizeof(int32_t)));
  indices_ = static_cast<int32_t*>(alloc(B * sizeof(int32_t)));
  targets_ = static_cast<float*>(alloc(B * config_.outputs * sizeof(float)));
  out_ = static_cast<float*>(alloc(B * config_.outputs * sizeof(float)));
  dOut_ = static_cast<float*>(alloc(B * config_.outputs * sizeof(float)));
  losses_ = static_cast<float*>(alloc(B * config_.outputs * sizeof(float)));
  for (Layer& layer : layers_) {
    const size_t H = layer.hidden;
    widest = std::max(widest, H);
    layer.gates = static_cast<float*>(alloc(TB * gateBlocks(layer.cell) * H * sizeof(float)));
    layer.h = static_cast<float*>(alloc((T + 1) * B * H * sizeof(float)));
    if (layer.cell == Cell::Lstm) {
      layer.c = static_cast<float*>(alloc((T + 1) * B * H * sizeof(float)));
      layer.tc = static_cast<float*>(alloc(TB * H * sizeof(float)));
    }
    if (layer.cell == Cell::Gru) layer.rh = static_cast<float*>(alloc(TB * H * sizeof(float)));
  }
  dLast_ = static_cast<float*>(alloc(B * widest * sizeof(float)));
  dCarry_ = static_cast<float*>(alloc(B * widest * sizeof(float)));
  dCell_ = static_cast<float*>(alloc(B * widest * sizeof(float)));
  dSeq_[0] = static_cast<float*>(alloc(TB * widest * sizeof(float)));
  dSeq_[1] = static_cast<float*>(alloc(TB * widest * sizeof(float)));
  capacity_ = B;
}

// The arrays go to the device once, checked as the CPU engine checks each batch, and stay while the caller passes the same ones.
void CudaNet::uploadDataset(const BatchSource& batch, bool withTargets) {
  const size_t T = config_.timesteps;
  const bool ids = config_.readsIds();
  const size_t samples = batch.xLength / rowLength();
  xData_ = deviceCopyOf(batch.x, batch.xLength, [&] {
    for (size_t s = 0; s < samples; s++)
      for (size_t t = 0; t < T; t++) {
        if (ids) {
          const float id = batch.x[s * T + t];
          if (!isIndex(id, config_.inputSize))
            throw InputError("x of sample " + std::to_string(s) + " holds " + std::to_string(id) + " at step " + std::to_string(t) + ", not a character id in [0, " +
                             std::to_string(config_.inputSize) + ")");
        } else {
          for (int f = 0; f < config_.inputSize; f++)
            if (!std::isfinite(batch.x[(s * T + t) * config_.inputSize + f]))
              throw InputError("x of sample " + std::to_string(s) + " holds a non-finite value (step " + std::to_string(t) + ", feature " + std::to_string(f) + "); inputs must be finite");
        }
      }
  });
  if (!withTargets) return;
  yData_ = deviceCopyOf(batch.y, batch.yLength, [&] {
    const bool classes = config_.softmaxHead();
    for (size_t k = 0; k < batch.yLength; k++) {
      const float value = batch.y[k];
      if (classes ? !isIndex(value, config_.outputs) : !std::isfinite(value))
        throw InputError("y of sample " + std::to_string(classes ? k : k / config_.outputs) + " is " + std::to_string(value) +
                         (classes ? ", not a class id in [0, " + std::to_string(config_.outputs) + ")" : "; targets must be finite"));
    }
  });
}

void CudaNet::gather(const BatchSource& batch, size_t B, bool withTargets) {
  const size_t samples = batch.xLength / rowLength();
  cudaStream_t stream = static_cast<cudaStream_t>(stream_);
  const int32_t* indices = nullptr;
  if (batch.indices) {
    for (size_t b = 0; b < B; b++)
      if (batch.indices[b] < 0 || static_cast<size_t>(batch.indices[b]) >= samples)
        throw InputError("sample index " + std::to_string(batch.indices[b]) + " is outside the " + std::to_string(samples) + " samples of x");
    CUDA_CHECK(cudaMemcpyAsync(indices_, batch.indices, B * sizeof(int32_t), cudaMemcpyHostToDevice, stream));
    indices = indices_;
  } else if (batch.offset + B > samples) {
    throw InputError("samples " + std::to_string(batch.offset) + " to " + std::to_string(batch.offset + B) + " are outside the " + std::to_string(samples) + " samples of x");
  }
  const size_t T = config_.timesteps;
  const bool ids = config_.readsIds();
  const size_t n = T * B * (ids ? 1 : config_.inputSize);
  gatherKernel<<<blocksFor(n), kThreads, 0, stream>>>(xData_, indices, batch.offset, B, T, config_.inputSize, ids, input_, ids_);
  if (withTargets) {
    const int width = config_.softmaxHead() ? 1 : config_.outputs;
    gatherTargets<<<blocksFor(B * width), kThreads, 0, stream>>>(yData_, indices, batch.offset, B, width, targets_);
  }
  if (ids) embedKernel<<<blocksFor(T * B * config_.embeddingDim), kThreads, 0, stream>>>(ids_, dparams_[embedding_].value, T * B, config_.embeddingDim, input_);
}

void CudaNet::forward(size_t B) {
  const float* x = input_;
  for (Layer& layer : layers_) {
    forwardLayer(layer, x, B);
    x = layer.h + B * layer.hidden;
  }
}

void CudaNet::forwardLayer(Layer& layer, const float* x, size_t B) {
  cudaStream_t stream = static_cast<cudaStream_t>(stream_);
  const size_t T = config_.timesteps;
  const int in = layer.in, H = layer.hidden, G = gateBlocks(layer.cell) * H;
  const float* W = dparams_[layer.kernel].value;
  const float* U = dparams_[layer.recurrent].value;
  const float* bias = dparams_[layer.bias].value;
  gemm(false, false, static_cast<int>(T * B), G, in, x, in, W, G, 0.0f, layer.gates, G);
  CUDA_CHECK(cudaMemsetAsync(layer.h, 0, B * H * sizeof(float), stream));
  if (layer.cell == Cell::Lstm) CUDA_CHECK(cudaMemsetAsync(layer.c, 0, B * H * sizeof(float), stream));
  const unsigned blocks = blocksFor(B * H);
  for (size_t t = 0; t < T; t++) {
    const float* hPrev = layer.h + t * B * H;
    float* hNext = layer.h + (t + 1) * B * H;
    float* zt = layer.gates + t * B * G;
    switch (layer.cell) {
      case Cell::Lstm:
        gemm(false, false, static_cast<int>(B), G, H, hPrev, H, U, G, 1.0f, zt, G);
        lstmGatesKernel<<<blocks, kThreads, 0, stream>>>(B, H, zt, bias, layer.c + t * B * H, layer.c + (t + 1) * B * H, layer.tc + t * B * H, hNext);
        break;
      case Cell::Gru: {
        float* rh = layer.rh + t * B * H;
        gemm(false, false, static_cast<int>(B), 2 * H, H, hPrev, H, U, G, 1.0f, zt, G);
        gruGatesKernel<<<blocks, kThreads, 0, stream>>>(B, H, zt, bias, hPrev, rh);
        gemm(false, false, static_cast<int>(B), H, H, rh, H, U + 2 * H, G, 1.0f, zt + 2 * H, G);
        gruOutputKernel<<<blocks, kThreads, 0, stream>>>(B, H, zt, bias, hPrev, hNext);
        break;
      }
      case Cell::Rnn:
        gemm(false, false, static_cast<int>(B), H, H, hPrev, H, U, H, 1.0f, zt, H);
        rnnKernel<<<blocks, kThreads, 0, stream>>>(B * H, H, zt, bias, hNext);
        break;
    }
  }
}

float CudaNet::headLoss(size_t B, bool withTargets, bool backward) {
  cudaStream_t stream = static_cast<cudaStream_t>(stream_);
  const Layer& top = layers_.back();
  const int H = top.hidden, O = config_.outputs;
  const float* hLast = top.h + config_.timesteps * B * H;
  broadcastRows<<<blocksFor(B * O), kThreads, 0, stream>>>(B, O, dparams_[headBias_].value, out_);
  gemm(false, false, static_cast<int>(B), O, H, hLast, H, dparams_[headKernel_].value, O, 1.0f, out_, O);
  float loss = 0;
  if (config_.task == Task::Forecast) {
    if (!withTargets) return 0;
    mseKernel<<<blocksFor(B * O), kThreads, 0, stream>>>(B * O, out_, targets_, losses_, dOut_);
    reduceKernel<<<1, kThreads, 0, stream>>>(losses_, B * O, false, 1.0 / static_cast<double>(B * O), scalars_);
  } else {
    softmaxKernel<<<blocksFor(B), kThreads, 0, stream>>>(B, O, out_, withTargets ? targets_ : nullptr, losses_, dOut_);
    if (!withTargets) return 0;
    reduceKernel<<<1, kThreads, 0, stream>>>(losses_, B, false, 1.0 / static_cast<double>(B), scalars_);
  }
  double value = 0;
  CUDA_CHECK(cudaMemcpyAsync(&value, scalars_, sizeof(double), cudaMemcpyDeviceToHost, stream));
  if (backward) {
    gemm(true, false, H, O, static_cast<int>(B), hLast, H, dOut_, O, 0.0f, dparams_[headKernel_].grad, O);
    columnSumsKernel<<<blocksFor(O), kThreads, 0, stream>>>(dOut_, B, O, dparams_[headBias_].grad);
    gemm(false, true, static_cast<int>(B), H, O, dOut_, O, dparams_[headKernel_].value, O, 0.0f, dLast_, H);
  }
  CUDA_CHECK(cudaStreamSynchronize(stream));
  loss = static_cast<float>(value);
  return loss;
}

void CudaNet::backwardLayers(size_t B) {
  cudaStream_t stream = static_cast<cudaStream_t>(stream_);
  const size_t TB = config_.timesteps * B;
  const float* dSeq = nullptr;
  int seqBuffer = 0;
  for (size_t l = layers_.size(); l-- > 0;) {
    const bool top = l + 1 == layers_.size();
    const bool needInputGrad = l > 0 || config_.readsIds();
    float* dx = needInputGrad ? dSeq_[seqBuffer] : nullptr;
    backwardLayer(layers_[l], dSeq, top ? dLast_ : nullptr, dx, B);
    if (!needInputGrad) break;
    if (l == 0) {
      const int E = config_.embeddingDim;
      embedGradKernel<<<blocksFor(static_cast<size_t>(config_.inputSize) * E), kThreads, 0, stream>>>(ids_, dx, TB, config_.inputSize, E, dparams_[embedding_].grad);
    }
    dSeq = dx;
    seqBuffer ^= 1;
  }
}

void CudaNet::backwardLayer(Layer& layer, const float* dSeq, const float* dLast, float* dx, size_t B) {
  cudaStream_t stream = static_cast<cudaStream_t>(stream_);
  const size_t T = config_.timesteps, TB = T * B;
  const int in = layer.in, H = layer.hidden, G = gateBlocks(layer.cell) * H;
  const float* U = dparams_[layer.recurrent].value;
  float* dh = dCarry_;
  CUDA_CHECK(cudaMemsetAsync(dh, 0, B * H * sizeof(float), stream));
  if (layer.cell == Cell::Lstm) CUDA_CHECK(cudaMemsetAsync(dCell_, 0, B * H * sizeof(float), stream));
  const unsigned blocks = blocksFor(B * H);
  for (size_t t = T; t-- > 0;) {
    if (dSeq) addKernel<<<blocks, kThreads, 0, stream>>>(B * H, dSeq + t * B * H, dh);
    if (dLast && t == T - 1) addKernel<<<blocks, kThreads, 0, stream>>>(B * H, dLast, dh);
    float* zt = layer.gates + t * B * G;
    const float* hPrev = layer.h + t * B * H;
    switch (layer.cell) {
      case Cell::Lstm:
        lstmBackwardKernel<<<blocks, kThreads, 0, stream>>>(B, H, zt, layer.c + t * B * H, layer.tc + t * B * H, dh, dCell_);
        if (t > 0) gemm(false, true, static_cast<int>(B), H, G, zt, G, U, G, 0.0f, dh, H);
        break;
      case Cell::Gru: {
        float* drh = dCell_;
        gruOutputBackwardKernel<<<blocks, kThreads, 0, stream>>>(B, H, zt, hPrev, dh);
        gemm(false, true, static_cast<int>(B), H, H, zt + 2 * H, G, U + 2 * H, G, 0.0f, drh, H);
        gruResetBackwardKernel<<<blocks, kThreads, 0, stream>>>(B, H, zt, hPrev, drh, dh);
        if (t > 0) gemm(false, true, static_cast<int>(B), H, 2 * H, zt, G, U, G, 1.0f, dh, H);
        break;
      }
      case Cell::Rnn:
        rnnBackwardKernel<<<blocks, kThreads, 0, stream>>>(B * H, zt, dh);
        if (t > 0) gemm(false, true, static_cast<int>(B), H, H, zt, H, U, H, 0.0f, dh, H);
        break;
    }
  }
  float* dU = dparams_[layer.recurrent].grad;
  if (layer.cell == Cell::Gru) {
    gemm(true, false, H, 2 * H, static_cast<int>(TB), layer.h, H, layer.gates, G, 0.0f, dU, G);
    gemm(true, false, H, H, static_cast<int>(TB), layer.rh, H, layer.gates + 2 * H, G, 0.0f, dU + 2 * H, G);
  } else {
    gemm(true, false, H, G, static_cast<int>(TB), layer.h, H, layer.gates, G, 0.0f, dU, G);
  }
  const float* xin = &layer == &layers_.front() ? input_ : (&layer - 1)->h + B * (&layer - 1)->hidden;
  gemm(true, false, in, G, static_cast<int>(TB), xin, in, layer.gates, G, 0.0f, dparams_[layer.kernel].grad, G);
  columnSumsKernel<<<blocksFor(G), kThreads, 0, stream>>>(layer.gates, TB, G, dparams_[layer.bias].grad);
  if (dx) gemm(false, true, static_cast<int>(TB), in, G, layer.gates, G, dparams_[layer.kernel].value, G, 0.0f, dx, in);
}

void CudaNet::optimizerStep() {
  cudaStream_t stream = static_cast<cudaStream_t>(stream_);
  const int count = static_cast<int>(params_.size());
  for (int i = 0; i < count; i++) reduceKernel<<<1, kThreads, 0, stream>>>(dparams_[i].grad, params_[i].size(), true, 1.0, scalars_ + 2 + i);
  clipScaleKernel<<<1, 1, 0, stream>>>(scalars_ + 2, count, config_.clipNorm, scalars_ + 1);
  const Optimizer kind = config_.optimizer;
  const float lr = config_.learningRate;
  setIterations(iterations_);
  StepSettings s;
  s.kind = static_cast<int>(kind);
  s.lr = lr;
  s.eps = config_.epsilon;
  s.l2 = kind == Optimizer::AdamW ? 0.0f : config_.weightDecay;
  s.decoupled = kind == Optimizer::AdamW ? 1.0f - lr * config_.weightDecay : 1.0f;
  s.b1 = static_cast<float>(config_.beta1);
  s.b2 = static_cast<float>(config_.beta2);
  s.oneMinusB1 = static_cast<float>(1.0 - config_.beta1);
  s.oneMinusB2 = static_cast<float>(1.0 - config_.beta2);
  s.correction1 = 1.0f - accBeta1_;
  s.correction2 = 1.0f - accBeta2_;
  s.momentum = config_.momentum;
  s.rho = config_.rho;
  s.oneMinusRho = 1.0f - config_.rho;
  for (int i = 0; i < count; i++) {
    const size_t n = params_[i].size();
    optimizerKernel<<<blocksFor(n), kThreads, 0, stream>>>(n, dparams_[i].value, dparams_[i].m, dparams_[i].v, dparams_[i].grad, scalars_ + 1, s);
  }
  iterations_++;
}

float CudaNet::run(const BatchSource& batch, bool backward) {
  if (!batch.x || batch.xLength % rowLength() != 0) throw InputError("x has " + std::to_string(batch.xLength) + " values, not a whole number of samples of " + std::to_string(rowLength()));
  const size_t samples = batch.xLength / rowLength();
  const size_t yRow = config_.softmaxHead() ? 1 : config_.outputs;
  if (!batch.y || batch.yLength != samples * yRow) throw InputError("y has " + std::to_string(batch.yLength) + " values; x's " + std::to_string(samples) + " samples need " + std::to_string(samples * yRow));
  if (batch.count == 0) throw InputError("a batch needs at least one sample");
  CUDA_CHECK(cudaSetDevice(device_));
  syncToDevice();
  ensureCapacity(batch.count);
  uploadDataset(batch, true);
  gather(batch, batch.count, true);
  forward(batch.count);
  const float loss = headLoss(batch.count, true, backward);
  if (backward) backwardLayers(batch.count);
  hostStale_ = true;
  return loss;
}

float CudaNet::trainBatch(const BatchSource& batch, uint64_t) {
  const float loss = run(batch, true);
  if (std::isfinite(loss)) optimizerStep();
  CUDA_CHECK(cudaStreamSynchronize(static_cast<cudaStream_t>(stream_)));
  return loss;
}

float CudaNet::lossAndGradients(const BatchSource& batch) {
  const float loss = run(batch, true);
  CUDA_CHECK(cudaStreamSynchronize(static_cast<cudaStream_t>(stream_)));
  return loss;
}

std::vector<float> CudaNet::predict(const float* x, size_t xLength, size_t chunk) {
  if (!x || xLength % rowLength() != 0) throw InputError("x has " + std::to_string(xLength) + " values, not a whole number of samples of " + std::to_string(rowLength()));
  if (chunk == 0) throw InputError("chunk must be positive");
  CUDA_CHECK(cudaSetDevice(device_));
  syncToDevice();
  const size_t samples = xLength / rowLength();
  const int O = config_.outputs;
  std::vector<float> result(samples * O);
  BatchSource source;
  source.x = x;
  source.xLength = xLength;
  uploadDataset(source, false);
  cudaStream_t stream = static_cast<cudaStream_t>(stream_);
  for (size_t start = 0; start < samples; start += chunk) {
    const size_t count = std::min(chunk, samples - start);
    source.offset = start;
    source.count = count;
    ensureCapacity(count);
    gather(source, count, false);
    forward(count);
    headLoss(count, false, false);
    CUDA_CHECK(cudaMemcpyAsync(result.data() + start * O, out_, count * O * sizeof(float), cudaMemcpyDeviceToHost, stream));
  }
  CUDA_CHECK(cudaStreamSynchronize(stream));
  return result;
}

}  // namespace lstm
