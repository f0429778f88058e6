// A stacked recurrent network trained in fused float32 code over BLAS, each layer one of TensorFlow.js's
// cells in its layout: LSTM (implementation 2, hard-sigmoid gates i, f, o and tanh, gate order i, f, c, o),
// GRU (reset before the recurrent product, hard-sigmoid gates z, r, then tanh candidate h) or SimpleRNN
// (tanh); a dense head on the last step, trained with Adam.
#pragma once
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace lstm {

// Forecast: features in, a linear head (MSE). Text: character ids in, the next one out. Classify: ids (with an
// embedding) or features (embeddingDim 0) in, one of `outputs` classes out.
enum class Task { Forecast, Text, Classify };

enum class Cell { Lstm, Gru, Rnn };

// TensorFlow.js's optimizers: Adam, SGD (Momentum when momentum > 0) and RMSProp (not centered). Weight
// decay is PyTorch's: an L2 term added to the gradient for Adam, SGD and RMSProp, decoupled
// (w -= lr * decay * w before the step) for AdamW.
enum class Optimizer { Adam, AdamW, Sgd, RmsProp };

// Gate blocks of H columns in a cell's kernel, recurrent kernel and bias.
inline int gateBlocks(Cell cell) { return cell == Cell::Lstm ? 4 : cell == Cell::Gru ? 3 : 1; }

struct NetConfig {
  Task task = Task::Forecast;
  // Text reads ids through the embedding, as does classify when it has one (else classify reads features per step).
  bool readsIds() const { return task == Task::Text || (task == Task::Classify && embeddingDim > 0); }
  // Text and classify end in a softmax with cross-entropy; their targets are ids.
  bool softmaxHead() const { return task != Task::Forecast; }
  int timesteps = 0;
  // Features per step (forecast) or vocabulary size (text: ids are embedded).
  int inputSize = 0;
  // Width of the bias-free embedding of ids (text; classify of texts). 0: classify reads inputSize features per step.
  int embeddingDim = 0;
  std::vector<int> hiddenUnits;
  // One per layer; empty means every layer is an LSTM.
  std::vector<Cell> cells;
  // tfjs's Bidirectional (concat) around every layer: a forward and a backward copy, outputs concatenated.
  bool bidirectional = false;
  // Forecast: horizon (linear head, MSE). Text: vocabulary size (softmax head, cross-entropy).
  int outputs = 0;
  float dropout = 0;
  float recurrentDropout = 0;
  float learningRate = 1e-3f;
  // Doubles, as tfjs holds them in JS before each op casts them to float32.
  double beta1 = 0.9;
  double beta2 = 0.999;
  float epsilon = 1e-7f;
  // Global-norm gradient clipping; 0 turns it off.
  float clipNorm = 0;
  Optimizer optimizer = Optimizer::Adam;
  // SGD's and RMSProp's momentum; RMSProp's decay of its mean square (tfjs's default 0.9).
  float momentum = 0;
  float rho = 0.9f;
  float weightDecay = 0;
};

// Bad input from the caller; the binding turns it into a thrown JS Error.
struct InputError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct Param {
  std::string name;
  std::vector<int> shape;
  // The optimizer's slots: Adam's first and second moments; SGD's momentum accumulation in m;
  // RMSProp's mean square in v and its momentum in m.
  std::vector<float> value, grad, m, v;
  size_t size() const { return value.size(); }
};

// Where one batch's samples come from: whole arrays of samples and the rows to take.
struct BatchSource {
  const float* x = nullptr;  // [n, T, F] floats, or [n, T] ids (as floats) for text
  size_t xLength = 0;
  const float* y = nullptr;  // [n, outputs] floats, or [n] target ids for text
  size_t yLength = 0;
  const int32_t* indices = nullptr;  // null: `count` samples in order from `offset`
  size_t offset = 0;
  size_t count = 0;
};

class LstmNet {
 public:
  explicit LstmNet(NetConfig config);

  std::vector<Param>& params() { return params_; }
  const NetConfig& config() const { return config_; }
  // The optimizer's step count (tfjs saves it as "iter"); Adam's beta powers follow from it.
  int64_t iterations() const { return iterations_; }
  void setIterations(int64_t iterations);
  void setLearningRate(float lr) { config_.learningRate = lr; }

  // One optimizer step on the batch; returns the batch loss before the step.
  float trainBatch(const BatchSource& batch, uint64_t dropoutSeed);
  // Loss and gradients (left in params()[i].grad) without dropout or an update.
  float lossAndGradients(const BatchSource& batch);
  // Head outputs (softmax probabilities for text) for every sample in x, in batches of `chunk`.
  std::vector<float> predict(const float* x, size_t xLength, size_t chunk);

 private:
  struct Layer {
    Cell cell = Cell::Lstm;
    int in = 0, hidden = 0;
    Param *kernel = nullptr, *recurrent = nullptr, *bias = nullptr;
    // Per batch: inputs after dropout [T*B, in], pre-activations then gates [T*B, G*H] (G = gateBlocks),
    // hidden states [(T+1)*B, H] (slot 0 = zeros); LSTM: cells [(T+1)*B, H], tanh(cell) [T*B, H];
    // GRU: r * h_{t-1} [T*B, H], the recurrent product's input for the candidate.
    std::vector<float> xd, gates, h, hd, c, tc, rh, inMask, recMask;
    // Bidirectional pairs: the forward copy's concatenated output sequence [T*B, 2H]; the backward copy's input in
    // reversed time [T*B, in] and its gradient; each copy's share of the gradients from above [T*B, H], [B, H].
    std::vector<float> cat, xrev, dxrev, dseq, dlast;
    const float* xin = nullptr;  // the inputs the kernel saw this batch (xd, or the layer below's h)
    const float* hin = nullptr;  // the states the recurrent kernel saw (hd, or h)
  };

  float run(const BatchSource& batch, bool train, uint64_t dropoutSeed, bool backward);
  void gather(const BatchSource& batch, size_t samples, bool withTargets);
  void forward(size_t batch, bool train, uint64_t dropoutSeed);
  void forwardLayer(Layer& layer, const float* x, size_t batch, bool train, uint64_t& rng);
  // dSeq [T*B, H] (or null) from the layer above, dLast [B, H] (or null) from the head; dx (or null) gets the input's gradient.
  void backwardLayer(Layer& layer, const float* dSeq, const float* dLast, float* dx, size_t batch);
  size_t depth() const { return config_.hiddenUnits.size(); }
  float headLoss(size_t batch, const BatchSource& source, bool backward);
  void backwardLayers(size_t batch);
  void stepForward(Layer& layer, size_t t, size_t batch, const float* hUsed);
  // Turns step t's kept gates into pre-activation gradients (in place) and dh (in) into dh_{t-1}, before recurrent dropout.
  void stepBackward(Layer& layer, size_t t, size_t batch, float* dh);
  void optimizerStep();
  void ensureCapacity(size_t batch);

  NetConfig config_;
  std::vector<Param> params_;
  std::vector<Layer> layers_;
  Param *embedding_ = nullptr, *headKernel_ = nullptr, *headBias_ = nullptr;
  int64_t iterations_ = 0;
  float accBeta1_, accBeta2_;
  size_t capacity_ = 0;
  std::vector<float> input_;        // [T*B, F] time-major, or embedded ids for text
  std::vector<int32_t> ids_;        // text: [T*B] ids
  std::vector<float> targets_;      // gathered y
  std::vector<float> out_, dOut_;   // head [B, outputs]
  std::vector<float> dLast_, dCarry_, dCell_, dSeq_[2];
  std::vector<float> lastCat_;      // bidirectional: the head's input, both copies' last states [B, 2H]
};

}  // namespace lstm
