// The CPU engine's network (lstm_net.h) trained on a GPU: the same weight layout, gate order, activations
// (hard-sigmoid gates, the same rational tanh), loss, optimizers and clipping, so checkpoints move between the
// two. Weights, optimizer state and the dataset live on the device; each network has its own stream and cuBLAS
// handle (cuBLAS is loaded at run time: this builds where only nvcc and the CUDA runtime are installed).
// Not yet: bidirectional layers and dropout, which the constructor refuses (the trial then trains elsewhere).
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "../native/lstm_net.h"

namespace lstm {

struct CudaDevice {
  int index = 0;
  std::string name;
  size_t freeBytes = 0;
  size_t totalBytes = 0;
};

class CudaNet {
 public:
  explicit CudaNet(NetConfig config);
  ~CudaNet();
  CudaNet(const CudaNet&) = delete;
  CudaNet& operator=(const CudaNet&) = delete;

  static std::vector<CudaDevice> devices();

  // Host copies of the weights, gradients and optimizer slots, brought up to date from the device; what the caller
  // writes into them goes back to the device before the next step.
  std::vector<Param>& params();
  const NetConfig& config() const { return config_; }
  int64_t iterations() const { return iterations_; }
  void setIterations(int64_t iterations);
  void setLearningRate(float lr) { config_.learningRate = lr; }

  float trainBatch(const BatchSource& batch, uint64_t dropoutSeed);
  float lossAndGradients(const BatchSource& batch);
  std::vector<float> predict(const float* x, size_t xLength, size_t chunk);

 private:
  struct DeviceParam {
    float *value = nullptr, *grad = nullptr, *m = nullptr, *v = nullptr;
  };
  struct Layer {
    Cell cell = Cell::Lstm;
    int in = 0, hidden = 0;
    int kernel = -1, recurrent = -1, bias = -1;  // indices into params_
    float *gates = nullptr, *h = nullptr, *c = nullptr, *tc = nullptr, *rh = nullptr;
  };

  float run(const BatchSource& batch, bool backward);
  void uploadDataset(const BatchSource& batch, bool withTargets);
  void gather(const BatchSource& batch, size_t count, bool withTargets);
  void forward(size_t B);
  void forwardLayer(Layer& layer, const float* x, size_t B);
  float headLoss(size_t B, bool withTargets, bool backward);
  void backwardLayers(size_t B);
  void backwardLayer(Layer& layer, const float* dSeq, const float* dLast, float* dx, size_t B);
  void optimizerStep();
  void ensureCapacity(size_t B);
  void syncToDevice();
  void gemm(bool transA, bool transB, int m, int n, int k, const float* a, int lda, const float* b, int ldb, float beta, float* c, int ldc);
  size_t rowLength() const;

  NetConfig config_;
  int device_ = 0;
  void* stream_ = nullptr;  // cudaStream_t
  void* blas_ = nullptr;    // cublasHandle_t
  std::vector<Param> params_;
  std::vector<DeviceParam> dparams_;
  std::vector<Layer> layers_;
  int embedding_ = -1, headKernel_ = -1, headBias_ = -1;
  int64_t iterations_ = 0;
  float accBeta1_ = 1, accBeta2_ = 1;
  bool hostStale_ = false;   // the device has newer values than params_
  bool deviceStale_ = true;  // params_ may have been written since the last upload
  size_t capacity_ = 0;
  // Device copies of the arrays the caller passes (the training split's and the validation split's, say), uploaded
  // once and re-used while it passes the same ones; the least recently used goes when a fifth comes.
  struct DeviceCopy {
    const float* host = nullptr;
    size_t length = 0;
    float* device = nullptr;
    uint64_t used = 0;
  };
  DeviceCopy copies_[4];
  uint64_t uses_ = 0;
  float* deviceCopyOf(const float* host, size_t length, const std::function<void()>& validate);
  float *xData_ = nullptr, *yData_ = nullptr;
  int32_t* indices_ = nullptr;
  float *input_ = nullptr, *targets_ = nullptr, *out_ = nullptr, *dOut_ = nullptr, *losses_ = nullptr;
  int32_t* ids_ = nullptr;
  float *dLast_ = nullptr, *dCarry_ = nullptr, *dCell_ = nullptr, *dSeq_[2] = {nullptr, nullptr};
  double* scalars_ = nullptr;  // [0] the loss, [1] the clip scale, [2 ...] per-parameter sums of squares
  std::vector<void*> owned_;
  void* alloc(size_t bytes);
  void release(void* p);
};

}  // namespace lstm
