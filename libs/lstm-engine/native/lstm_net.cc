#include "lstm_net.h"

#include <cblas.h>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "fast_math.h"
#include "net_parts.h"

namespace lstm {
namespace {

// Row-major C = alpha * op(A) * op(B) + beta * C.
void gemm(bool transA, bool transB, int m, int n, int k, const float* a, int lda, const float* b, int ldb, float beta, float* c, int ldc) {
  cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans, m, n, k, 1.0f, a, lda, b, ldb, beta, c, ldc);
}

uint64_t splitmix64(uint64_t& state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// Inverted dropout, as tf.dropout: kept entries scaled by 1 / (1 - rate).
void fillDropoutMask(std::vector<float>& mask, size_t count, float rate, uint64_t& rng) {
  const float keep = 1.0f / (1.0f - rate);
  for (size_t i = 0; i < count; i++) {
    const float u = static_cast<float>(splitmix64(rng) >> 40) * (1.0f / 16777216.0f);
    mask[i] = u >= rate ? keep : 0.0f;
  }
}

void columnSums(const float* rows, size_t count, int width, float* out) {
  std::fill(out, out + width, 0.0f);
  for (size_t r = 0; r < count; r++) {
    const float* row = rows + r * width;
    for (int j = 0; j < width; j++) out[j] += row[j];
  }
}

void addInto(size_t n, const float* __restrict__ from, float* __restrict__ to) {
  for (size_t k = 0; k < n; k++) to[k] += from[k];
}

// One sample's step: pre-activations (+ bias) -> gates i, f, c, o (kept for backprop), cell, tanh(cell), h.
void gateForward(int H, float* __restrict__ zi, float* __restrict__ zf, float* __restrict__ zg, float* __restrict__ zo, const float* __restrict__ bias,
                 const float* __restrict__ cPrev, float* __restrict__ cNext, float* __restrict__ tanhCell, float* __restrict__ hNext) {
  for (int j = 0; j < H; j++) {
    const float i = hard_sigmoid(zi[j] + bias[j]);
    const float f = hard_sigmoid(zf[j] + bias[H + j]);
    const float g = fast_tanh(zg[j] + bias[2 * H + j]);
    const float o = hard_sigmoid(zo[j] + bias[3 * H + j]);
    const float cell = f * cPrev[j] + i * g;
    const float tcell = fast_tanh(cell);
    zi[j] = i;
    zf[j] = f;
    zg[j] = g;
    zo[j] = o;
    cNext[j] = cell;
    tanhCell[j] = tcell;
    hNext[j] = o * tcell;
  }
}

// Its gradient: gates in, pre-activation gradients out (in place); dh in, dcell carried to the previous step.
void gateBackward(int H, float* __restrict__ zi, float* __restrict__ zf, float* __restrict__ zg, float* __restrict__ zo, const float* __restrict__ cPrev,
                  const float* __restrict__ tanhCell, const float* __restrict__ dh, float* __restrict__ dc) {
  for (int j = 0; j < H; j++) {
    const float i = zi[j], f = zf[j], g = zg[j], o = zo[j];
    const float tcell = tanhCell[j];
    const float dcell = dc[j] + dh[j] * o * (1.0f - tcell * tcell);
    dc[j] = dcell * f;
    zi[j] = dcell * g * hard_sigmoid_grad(i);
    zf[j] = dcell * cPrev[j] * hard_sigmoid_grad(f);
    zg[j] = dcell * i * (1.0f - g * g);
    zo[j] = dh[j] * tcell * hard_sigmoid_grad(o);
  }
}

// GRU, first half of a step: the gates z and r from their pre-activations (+ bias), kept for backprop, and r * h_{t-1}.
void gruGates(int H, float* __restrict__ zz, float* __restrict__ zr, const float* __restrict__ bias, const float* __restrict__ hPrev, float* __restrict__ rh) {
  for (int j = 0; j < H; j++) {
    const float z = hard_sigmoid(zz[j] + bias[j]);
    const float r = hard_sigmoid(zr[j] + bias[H + j]);
    zz[j] = z;
    zr[j] = r;
    rh[j] = r * hPrev[j];
  }
}

// Second half, once (r * h_{t-1}) U_h is in zh: the candidate hh (kept) and h = z h_{t-1} + (1 - z) hh.
void gruOutput(int H, const float* __restrict__ zz, float* __restrict__ zh, const float* __restrict__ bias, const float* __restrict__ hPrev, float* __restrict__ hNext) {
  for (int j = 0; j < H; j++) {
    const float z = zz[j];
    const float hh = fast_tanh(zh[j] + bias[2 * H + j]);
    zh[j] = hh;
    hNext[j] = z * hPrev[j] + (1.0f - z) * hh;
  }
}

// Backward through that output: z's and the candidate's pre-activation gradients (in place); dh becomes its direct part z dh.
void gruOutputBackward(int H, float* __restrict__ zz, float* __restrict__ zh, const float* __restrict__ hPrev, float* __restrict__ dh) {
  for (int j = 0; j < H; j++) {
    const float z = zz[j], hh = zh[j], d = dh[j];
    dh[j] = d * z;
    zz[j] = d * (hPrev[j] - hh) * hard_sigmoid_grad(z);
    zh[j] = d * (1.0f - z) * (1.0f - hh * hh);
  }
}

// Backward through r * h_{t-1}, given its gradient drh: r's pre-activation gradient (in place) and h_{t-1}'s share.
void gruResetBackward(int H, float* __restrict__ zr, const float* __restrict__ hPrev, const float* __restrict__ drh, float* __restrict__ dh) {
  for (int j = 0; j < H; j++) {
    const float r = zr[j];
    dh[j] += drh[j] * r;
    zr[j] = drh[j] * hPrev[j] * hard_sigmoid_grad(r);
  }
}




}  // namespace

LstmNet::LstmNet(NetConfig config) : config_(std::move(config)) {
  const NetConfig& c = config_;
  if (c.timesteps <= 0) throw InputError("timesteps must be a positive integer");
  if (c.inputSize <= 0) throw InputError("inputSize must be a positive integer");
  if (c.outputs <= 0) throw InputError("outputs must be a positive integer");
  if (c.hiddenUnits.empty()) throw InputError("hiddenUnits must name at least one layer");
  for (int h : c.hiddenUnits)
    if (h <= 0) throw InputError("every layer's hidden units must be a positive integer");
  if (c.task == Task::Text && c.embeddingDim <= 0) throw InputError("embeddingDim must be a positive integer for the text task");
  if (c.task == Task::Text && c.outputs != c.inputSize) throw InputError("the text task predicts the next id: outputs must equal inputSize (the vocabulary)");
  if (!(c.dropout >= 0 && c.dropout < 1)) throw InputError("dropout must be in [0, 1)");
  if (!(c.recurrentDropout >= 0 && c.recurrentDropout < 1)) throw InputError("recurrentDropout must be in [0, 1)");
  if (!(c.learningRate > 0) || !std::isfinite(c.learningRate)) throw InputError("learningRate must be a positive number");
  if (!(c.beta1 >= 0 && c.beta1 < 1) || !(c.beta2 >= 0 && c.beta2 < 1)) throw InputError("beta1 and beta2 must be in [0, 1)");
  if (!(c.epsilon > 0)) throw InputError("epsilon must be positive");
  if (!(c.clipNorm >= 0)) throw InputError("clipNorm must be 0 (off) or positive");
  if (!(c.momentum >= 0 && c.momentum < 1)) throw InputError("momentum must be in [0, 1)");
  if (!(c.rho > 0 && c.rho < 1)) throw InputError("rho must be in (0, 1)");
  if (!(c.weightDecay >= 0) || !std::isfinite(c.weightDecay)) throw InputError("weightDecay must be 0 or positive");
  if (config_.cells.empty()) config_.cells.assign(c.hiddenUnits.size(), Cell::Lstm);
  if (c.cells.size() != c.hiddenUnits.size())
    throw InputError("cells names " + std::to_string(c.cells.size()) + " layers, hiddenUnits " + std::to_string(c.hiddenUnits.size()) + ": give one cell per layer");

  int in = c.inputSize;
  if (c.readsIds()) {
    params_.push_back(makeParam("embedding/kernel", {c.inputSize, c.embeddingDim}));
    in = c.embeddingDim;
  }
  const int directions = c.bidirectional ? 2 : 1;
  for (size_t l = 0; l < c.hiddenUnits.size(); l++) {
    const int h = c.hiddenUnits[l], g = gateBlocks(c.cells[l]) * h;
    for (int d = 0; d < directions; d++) {
      // tfjs's Bidirectional holds the forward copy's weights, then the backward copy's.
      const std::string prefix = std::string(d == 0 ? "" : "backward_") + cellName(c.cells[l]) + "_" + std::to_string(l + 1) + "/";
      params_.push_back(makeParam(prefix + "kernel", {in, g}));
      params_.push_back(makeParam(prefix + "recurrent_kernel", {h, g}));
      params_.push_back(makeParam(prefix + "bias", {g}));
    }
    in = h * directions;
  }
  params_.push_back(makeParam("dense/kernel", {in, c.outputs}));
  params_.push_back(makeParam("dense/bias", {c.outputs}));

  size_t next = 0;
  if (c.readsIds()) embedding_ = &params_[next++];
  in = c.readsIds() ? c.embeddingDim : c.inputSize;
  for (size_t l = 0; l < c.hiddenUnits.size(); l++) {
    const int h = c.hiddenUnits[l];
    for (int d = 0; d < directions; d++) {
      Layer layer;
      layer.cell = c.cells[l];
      layer.in = in;
      layer.hidden = h;
      layer.kernel = &params_[next++];
      layer.recurrent = &params_[next++];
      layer.bias = &params_[next++];
      layers_.push_back(std::move(layer));
    }
    in = h * directions;
  }
  headKernel_ = &params_[next++];
  headBias_ = &params_[next++];
  setIterations(0);
}

void LstmNet::setIterations(int64_t iterations) {
  if (iterations < 0) throw InputError("iterations must be >= 0");
  iterations_ = iterations;
  // As tfjs's Adam.setWeights: accBeta = beta^(iterations + 1), in float32.
  accBeta1_ = std::pow(static_cast<float>(config_.beta1), static_cast<float>(iterations + 1));
  accBeta2_ = std::pow(static_cast<float>(config_.beta2), static_cast<float>(iterations + 1));
}

void LstmNet::ensureCapacity(size_t batch) {
  if (batch <= capacity_) return;
  const size_t T = config_.timesteps;
  const size_t tb = T * batch;
  const int inputWidth = config_.readsIds() ? config_.embeddingDim : config_.inputSize;
  input_.resize(tb * inputWidth);
  ids_.resize(tb);
  targets_.resize(batch * config_.outputs);
  out_.resize(batch * config_.outputs);
  dOut_.resize(batch * config_.outputs);
  size_t widest = inputWidth;
  for (Layer& layer : layers_) {
    const size_t H = layer.hidden;
    widest = std::max(widest, H);
    if (config_.dropout > 0) layer.xd.resize(tb * layer.in);
    layer.gates.resize(tb * gateBlocks(layer.cell) * H);
    layer.h.resize((T + 1) * batch * H);
    if (config_.recurrentDropout > 0) layer.hd.resize(tb * H);
    if (layer.cell == Cell::Lstm) {
      layer.c.resize((T + 1) * batch * H);
      layer.tc.resize(tb * H);
    }
    if (layer.cell == Cell::Gru) layer.rh.resize(tb * H);
    layer.inMask.resize(batch * layer.in);
    layer.recMask.resize(batch * H);
    if (config_.bidirectional) {
      widest = std::max(widest, 2 * H);
      layer.cat.resize(tb * 2 * H);
      layer.xrev.resize(tb * layer.in);
      layer.dxrev.resize(tb * layer.in);
      layer.dseq.resize(tb * H);
      layer.dlast.resize(batch * H);
    }
  }
  lastCat_.resize(config_.bidirectional ? batch * 2 * layers_.back().hidden : 0);
  dLast_.resize(batch * widest);
  dCarry_.resize(batch * widest);
  dCell_.resize(batch * widest);
  dSeq_[0].resize(tb * widest);
  dSeq_[1].resize(tb * widest);
  capacity_ = batch;
}

void LstmNet::gather(const BatchSource& batch, size_t samples, bool withTargets) {
  const size_t T = config_.timesteps;
  const bool text = config_.readsIds();
  const size_t rowLength = text ? T : T * config_.inputSize;
  const size_t available = batch.xLength / rowLength;
  for (size_t b = 0; b < samples; b++) {
    const int64_t source = batch.indices ? batch.indices[b] : static_cast<int64_t>(batch.offset + b);
    if (source < 0 || static_cast<size_t>(source) >= available)
      throw InputError("sample index " + std::to_string(source) + " is outside the " + std::to_string(available) + " samples of x");
    const float* row = batch.x + source * rowLength;
    if (text) {
      for (size_t t = 0; t < T; t++) {
        if (!isIndex(row[t], config_.inputSize))
          throw InputError("x of sample " + std::to_string(source) + " holds " + std::to_string(row[t]) + " at step " + std::to_string(t) +
                           ", not a character id in [0, " + std::to_string(config_.inputSize) + ")");
        ids_[t * samples + b] = static_cast<int32_t>(row[t]);
      }
    } else {
      const int F = config_.inputSize;
      for (size_t t = 0; t < T; t++) {
        const float* step = row + t * F;
        float* dest = input_.data() + (t * samples + b) * F;
        for (int f = 0; f < F; f++) {
          if (!std::isfinite(step[f]))
            throw InputError("x of sample " + std::to_string(source) + " holds " + std::to_string(step[f]) + " (step " + std::to_string(t) + ", feature " +
                             std::to_string(f) + "); inputs must be finite");
          dest[f] = step[f];
        }
      }
    }
    if (withTargets) {
      if (config_.softmaxHead()) {
        const float target = batch.y[source];
        if (!isIndex(target, config_.outputs))
          throw InputError("y of sample " + std::to_string(source) + " is " + std::to_string(target) + ", not a " + (config_.task == Task::Text ? "character" : "class") +
                           " id in [0, " + std::to_string(config_.outputs) + ")");
        targets_[b] = target;
      } else {
        const int O = config_.outputs;
        for (int k = 0; k < O; k++) {
          const float value = batch.y[source * O + k];
          if (!std::isfinite(value)) throw InputError("y of sample " + std::to_string(source) + " holds " + std::to_string(value) + "; targets must be finite");
          targets_[b * O + k] = value;
        }
      }
    }
  }
  if (text) {
    const int E = config_.embeddingDim;
    const float* table = embedding_->value.data();
    for (size_t r = 0; r < T * samples; r++) std::memcpy(input_.data() + r * E, table + static_cast<size_t>(ids_[r]) * E, E * sizeof(float));
  }
}

void LstmNet::forward(size_t B, bool train, uint64_t dropoutSeed) {
  const size_t T = config_.timesteps;
  uint64_t rng = dropoutSeed;
  const float* x = input_.data();
  for (size_t l = 0; l < depth(); l++) {
    if (!config_.bidirectional) {
      Layer& layer = layers_[l];
      forwardLayer(layer, x, B, train, rng);
      x = layer.h.data() + B * layer.hidden;
      continue;
    }
    Layer& fwd = layers_[2 * l];
    Layer& bwd = layers_[2 * l + 1];
    const size_t in = fwd.in, H = fwd.hidden;
    forwardLayer(fwd, x, B, train, rng);
    // The backward copy reads the sequence last step first (tfjs's goBackwards).
    for (size_t t = 0; t < T; t++) std::memcpy(bwd.xrev.data() + (T - 1 - t) * B * in, x + t * B * in, B * in * sizeof(float));
    forwardLayer(bwd, bwd.xrev.data(), B, train, rng);
    // Output at step t: the forward state after x_t, the backward state after x_{T-1} .. x_t (its slot T - t).
    for (size_t t = 0; t < T; t++)
      for (size_t b = 0; b < B; b++) {
        float* row = fwd.cat.data() + (t * B + b) * 2 * H;
        std::memcpy(row, fwd.h.data() + ((t + 1) * B + b) * H, H * sizeof(float));
        std::memcpy(row + H, bwd.h.data() + ((T - t) * B + b) * H, H * sizeof(float));
      }
    x = fwd.cat.data();
  }
  if (config_.bidirectional) {
    // The head reads both copies' last states (the backward one's has read the whole sequence).
    const Layer& fwd = layers_[layers_.size() - 2];
    const Layer& bwd = layers_.back();
    const size_t H = fwd.hidden;
    for (size_t b = 0; b < B; b++) {
      std::memcpy(lastCat_.data() + b * 2 * H, fwd.h.data() + (T * B + b) * H, H * sizeof(float));
      std::memcpy(lastCat_.data() + b * 2 * H + H, bwd.h.data() + (T * B + b) * H, H * sizeof(float));
    }
  }
}

void LstmNet::forwardLayer(Layer& layer, const float* x, size_t B, bool train, uint64_t& rng) {
  const size_t T = config_.timesteps;
  const size_t TB = T * B;
  const int in = layer.in, H = layer.hidden, G = gateBlocks(layer.cell) * H;
  if (train && config_.dropout > 0) {
    // One mask per sample for every step and gate, as tfjs's cells (implementation 2) use.
    fillDropoutMask(layer.inMask, B * in, config_.dropout, rng);
    for (size_t t = 0; t < T; t++)
      for (size_t b = 0; b < B; b++) {
        const float* src = x + (t * B + b) * in;
        float* dst = layer.xd.data() + (t * B + b) * in;
        const float* mask = layer.inMask.data() + b * in;
        for (int k = 0; k < in; k++) dst[k] = src[k] * mask[k];
      }
    layer.xin = layer.xd.data();
  } else {
    layer.xin = x;
  }
  const bool recDrop = train && config_.recurrentDropout > 0;
  if (recDrop) fillDropoutMask(layer.recMask, B * H, config_.recurrentDropout, rng);

  // All timesteps' input projections in one product; the bias is added in the fused gate pass.
  float* z = layer.gates.data();
  gemm(false, false, TB, G, in, layer.xin, in, layer.kernel->value.data(), G, 0.0f, z, G);

  std::fill(layer.h.begin(), layer.h.begin() + B * H, 0.0f);
  if (layer.cell == Cell::Lstm) std::fill(layer.c.begin(), layer.c.begin() + B * H, 0.0f);
  for (size_t t = 0; t < T; t++) {
    const float* hPrev = layer.h.data() + t * B * H;
    const float* hUsed = hPrev;
    if (recDrop) {
      float* hd = layer.hd.data() + t * B * H;
      for (size_t k = 0; k < B * H; k++) hd[k] = hPrev[k] * layer.recMask[k];
      hUsed = hd;
    }
    stepForward(layer, t, B, hUsed);
  }
  layer.hin = recDrop ? layer.hd.data() : layer.h.data();
}

void LstmNet::stepForward(Layer& layer, size_t t, size_t B, const float* hUsed) {
  const int H = layer.hidden, G = gateBlocks(layer.cell) * H;
  float* zt = layer.gates.data() + t * B * G;
  const float* U = layer.recurrent->value.data();
  const float* bias = layer.bias->value.data();
  float* hNext = layer.h.data() + (t + 1) * B * H;
  switch (layer.cell) {
    case Cell::Lstm:
      gemm(false, false, B, G, H, hUsed, H, U, G, 1.0f, zt, G);
      for (size_t b = 0; b < B; b++) {
        float* zb = zt + b * G;
        const size_t row = (t * B + b) * H;
        gateForward(H, zb, zb + H, zb + 2 * H, zb + 3 * H, bias, layer.c.data() + row, layer.c.data() + row + B * H, layer.tc.data() + row, hNext + b * H);
      }
      break;
    case Cell::Gru: {
      // tfjs's GRU: z and r read h_{t-1} through U's first 2H columns, the candidate reads r * h_{t-1} through the last H.
      float* rh = layer.rh.data() + t * B * H;
      gemm(false, false, B, 2 * H, H, hUsed, H, U, G, 1.0f, zt, G);
      for (size_t b = 0; b < B; b++) gruGates(H, zt + b * G, zt + b * G + H, bias, hUsed + b * H, rh + b * H);
      gemm(false, false, B, H, H, rh, H, U + 2 * H, G, 1.0f, zt + 2 * H, G);
      for (size_t b = 0; b < B; b++) gruOutput(H, zt + b * G, zt + b * G + 2 * H, bias, hUsed + b * H, hNext + b * H);
      break;
    }
    case Cell::Rnn:
      gemm(false, false, B, H, H, hUsed, H, U, H, 1.0f, zt, H);
      for (size_t b = 0; b < B; b++)
        for (int j = 0; j < H; j++) hNext[b * H + j] = zt[b * H + j] = fast_tanh(zt[b * H + j] + bias[j]);
      break;
  }
}

void LstmNet::stepBackward(Layer& layer, size_t t, size_t B, float* dh) {
  const int H = layer.hidden, G = gateBlocks(layer.cell) * H;
  float* zt = layer.gates.data() + t * B * G;
  const float* U = layer.recurrent->value.data();
  const float* hUsed = layer.hin + t * B * H;
  const bool needPrev = t > 0;
  switch (layer.cell) {
    case Cell::Lstm: {
      float* dCell = dCell_.data();
      for (size_t b = 0; b < B; b++) {
        float* zb = zt + b * G;
        const size_t row = (t * B + b) * H;
        gateBackward(H, zb, zb + H, zb + 2 * H, zb + 3 * H, layer.c.data() + row, layer.tc.data() + row, dh + b * H, dCell + b * H);
      }
      if (needPrev) gemm(false, true, B, H, G, zt, G, U, G, 0.0f, dh, H);
      break;
    }
    case Cell::Gru: {
      float* drh = dCell_.data();
      for (size_t b = 0; b < B; b++) gruOutputBackward(H, zt + b * G, zt + b * G + 2 * H, hUsed + b * H, dh + b * H);
      gemm(false, true, B, H, H, zt + 2 * H, G, U + 2 * H, G, 0.0f, drh, H);
      for (size_t b = 0; b < B; b++) gruResetBackward(H, zt + b * G + H, hUsed + b * H, drh + b * H, dh + b * H);
      if (needPrev) gemm(false, true, B, H, 2 * H, zt, G, U, G, 1.0f, dh, H);
      break;
    }
    case Cell::Rnn:
      for (size_t k = 0; k < B * H; k++) zt[k] = dh[k] * (1.0f - zt[k] * zt[k]);
      if (needPrev) gemm(false, true, B, H, H, zt, H, U, H, 0.0f, dh, H);
      break;
  }
}

float LstmNet::headLoss(size_t B, const BatchSource& source, bool backward) {
  const Layer& top = layers_.back();
  const int H = top.hidden * (config_.bidirectional ? 2 : 1), O = config_.outputs;
  const float* hLast = config_.bidirectional ? lastCat_.data() : top.h.data() + config_.timesteps * B * top.hidden;
  for (size_t b = 0; b < B; b++) std::memcpy(out_.data() + b * O, headBias_->value.data(), O * sizeof(float));
  gemm(false, false, B, O, H, hLast, H, headKernel_->value.data(), O, 1.0f, out_.data(), O);

  double loss = 0;
  if (config_.task == Task::Forecast) {
    if (!source.y) return 0;
    const float scale = 2.0f / static_cast<float>(B * O);
    for (size_t k = 0; k < B * O; k++) {
      const float diff = out_[k] - targets_[k];
      loss += static_cast<double>(diff) * diff;
      dOut_[k] = diff * scale;
    }
    loss /= static_cast<double>(B * O);
  } else {
    for (size_t b = 0; b < B; b++) {
      float* row = out_.data() + b * O;
      const float top = *std::max_element(row, row + O);
      float sum = 0;
      for (int k = 0; k < O; k++) sum += (row[k] = std::exp(row[k] - top));
      for (int k = 0; k < O; k++) row[k] /= sum;
      if (!source.y) continue;
      const int target = static_cast<int>(targets_[b]);
      // tfjs clips probabilities to [epsilon, 1 - epsilon] before the log.
      loss -= std::log(std::min(1.0f - 1e-7f, std::max(1e-7f, row[target])));
      float* d = dOut_.data() + b * O;
      for (int k = 0; k < O; k++) d[k] = row[k] / static_cast<float>(B);
      d[target] -= 1.0f / static_cast<float>(B);
    }
    loss /= static_cast<double>(B);
  }
  if (backward) {
    gemm(true, false, H, O, B, hLast, H, dOut_.data(), O, 0.0f, headKernel_->grad.data(), O);
    columnSums(dOut_.data(), B, O, headBias_->grad.data());
    gemm(false, true, B, H, O, dOut_.data(), O, headKernel_->value.data(), O, 0.0f, dLast_.data(), H);
  }
  return static_cast<float>(loss);
}

void LstmNet::backwardLayers(size_t B) {
  const size_t T = config_.timesteps;
  const size_t TB = T * B;
  const float* dSeq = nullptr;  // gradient w.r.t. this layer's whole output sequence (from the layer above)
  int seqBuffer = 0;
  for (size_t l = depth(); l-- > 0;) {
    const bool top = l + 1 == depth();
    const bool needInputGrad = l > 0 || config_.readsIds();
    float* dx = needInputGrad ? dSeq_[seqBuffer].data() : nullptr;
    if (!config_.bidirectional) {
      backwardLayer(layers_[l], dSeq, top ? dLast_.data() : nullptr, dx, B);
    } else {
      Layer& fwd = layers_[2 * l];
      Layer& bwd = layers_[2 * l + 1];
      const size_t H = fwd.hidden, in = fwd.in;
      // Each copy's share of what comes from above, the backward copy's in its own (reversed) step order.
      if (dSeq) {
        for (size_t t = 0; t < T; t++)
          for (size_t b = 0; b < B; b++) {
            const float* row = dSeq + (t * B + b) * 2 * H;
            std::memcpy(fwd.dseq.data() + (t * B + b) * H, row, H * sizeof(float));
            std::memcpy(bwd.dseq.data() + ((T - 1 - t) * B + b) * H, row + H, H * sizeof(float));
          }
      }
      if (top) {
        for (size_t b = 0; b < B; b++) {
          std::memcpy(fwd.dlast.data() + b * H, dLast_.data() + b * 2 * H, H * sizeof(float));
          std::memcpy(bwd.dlast.data() + b * H, dLast_.data() + b * 2 * H + H, H * sizeof(float));
        }
      }
      backwardLayer(fwd, dSeq ? fwd.dseq.data() : nullptr, top ? fwd.dlast.data() : nullptr, dx, B);
      backwardLayer(bwd, dSeq ? bwd.dseq.data() : nullptr, top ? bwd.dlast.data() : nullptr, dx ? bwd.dxrev.data() : nullptr, B);
      if (dx)
        for (size_t t = 0; t < T; t++) addInto(B * in, bwd.dxrev.data() + (T - 1 - t) * B * in, dx + t * B * in);
    }
    if (!needInputGrad) break;
    if (l == 0) {
      // Text: the embedding lookup's gradient, scattered back onto the rows that were read.
      const int E = config_.embeddingDim;
      float* grad = embedding_->grad.data();
      std::fill(embedding_->grad.begin(), embedding_->grad.end(), 0.0f);
      for (size_t r = 0; r < TB; r++) {
        float* dest = grad + static_cast<size_t>(ids_[r]) * E;
        const float* src = dx + r * E;
        for (int e = 0; e < E; e++) dest[e] += src[e];
      }
    }
    dSeq = dx;
    seqBuffer ^= 1;
  }
}

void LstmNet::backwardLayer(Layer& layer, const float* dSeq, const float* dLast, float* dx, size_t B) {
  const size_t T = config_.timesteps;
  const size_t TB = T * B;
  const int in = layer.in, H = layer.hidden, G = gateBlocks(layer.cell) * H;
  const bool recDrop = layer.hin == layer.hd.data() && !layer.hd.empty();
  // dCarry: dh of the step being undone, then (after it) dh of the step before.
  float* dCarry = dCarry_.data();
  std::fill(dCarry, dCarry + B * H, 0.0f);
  if (layer.cell == Cell::Lstm) std::fill(dCell_.begin(), dCell_.begin() + B * H, 0.0f);
  float* gates = layer.gates.data();
  for (size_t t = T; t-- > 0;) {
    // dh for this step: the recurrent carry plus what the layer above or the head sends.
    if (dSeq) addInto(B * H, dSeq + t * B * H, dCarry);
    if (dLast && t == T - 1) addInto(B * H, dLast, dCarry);
    stepBackward(layer, t, B, dCarry);
    if (t > 0 && recDrop) {
      const float* mask = layer.recMask.data();
      for (size_t k = 0; k < B * H; k++) dCarry[k] *= mask[k];
    }
  }
  // Each weight gradient over all timesteps in one product (GRU: the candidate's columns read r * h_{t-1}).
  float* dU = layer.recurrent->grad.data();
  if (layer.cell == Cell::Gru) {
    gemm(true, false, H, 2 * H, TB, layer.hin, H, gates, G, 0.0f, dU, G);
    gemm(true, false, H, H, TB, layer.rh.data(), H, gates + 2 * H, G, 0.0f, dU + 2 * H, G);
  } else {
    gemm(true, false, H, G, TB, layer.hin, H, gates, G, 0.0f, dU, G);
  }
  gemm(true, false, in, G, TB, layer.xin, in, gates, G, 0.0f, layer.kernel->grad.data(), G);
  columnSums(gates, TB, G, layer.bias->grad.data());
  if (!dx) return;
  gemm(false, true, TB, in, G, gates, G, layer.kernel->value.data(), G, 0.0f, dx, in);
  if (layer.xin == layer.xd.data() && !layer.xd.empty()) {
    for (size_t t = 0; t < T; t++)
      for (size_t b = 0; b < B; b++) {
        float* row = dx + (t * B + b) * in;
        const float* mask = layer.inMask.data() + b * in;
        for (int k = 0; k < in; k++) row[k] *= mask[k];
      }
  }
}

void LstmNet::optimizerStep() {
  float scale = 1.0f;
  if (config_.clipNorm > 0) {
    double squares = 0;
    for (const Param& p : params_)
      for (float g : p.grad) squares += static_cast<double>(g) * g;
    const double norm = std::sqrt(squares);
    if (norm > config_.clipNorm) scale = static_cast<float>(config_.clipNorm / norm);
  }
  const Optimizer kind = config_.optimizer;
  const float lr = config_.learningRate, eps = config_.epsilon;
  const float l2 = kind == Optimizer::AdamW ? 0.0f : config_.weightDecay;
  const float decoupled = kind == Optimizer::AdamW ? 1.0f - lr * config_.weightDecay : 1.0f;
  const float b1 = static_cast<float>(config_.beta1), b2 = static_cast<float>(config_.beta2);
  const float oneMinusB1 = static_cast<float>(1.0 - config_.beta1), oneMinusB2 = static_cast<float>(1.0 - config_.beta2);
  // beta^(step) from the step count, not a running product: a resumed run then rounds exactly as an uninterrupted one.
  setIterations(iterations_);
  const float correction1 = 1.0f - accBeta1_, correction2 = 1.0f - accBeta2_;
  const float momentum = config_.momentum, rho = config_.rho, oneMinusRho = 1.0f - config_.rho;
  for (Param& p : params_) {
    float* w = p.value.data();
    float* m = p.m.data();
    float* v = p.v.data();
    const float* gr = p.grad.data();
    const size_t n = p.size();
    for (size_t k = 0; k < n; k++) {
      const float g = gr[k] * scale + l2 * w[k];
      switch (kind) {
        case Optimizer::Adam:
        case Optimizer::AdamW:
          w[k] *= decoupled;
          m[k] = m[k] * b1 + g * oneMinusB1;
          v[k] = v[k] * b2 + (g * g) * oneMinusB2;
          w[k] += (m[k] / correction1) / (std::sqrt(v[k] / correction2) + eps) * -lr;
          break;
        case Optimizer::Sgd:
          if (momentum > 0) {
            m[k] = momentum * m[k] + g;
            w[k] += -lr * m[k];
          } else {
            w[k] += -lr * g;
          }
          break;
        case Optimizer::RmsProp:
          v[k] = v[k] * rho + (g * g) * oneMinusRho;
          m[k] = m[k] * momentum + (g * lr) / std::sqrt(v[k] + eps);
          w[k] -= m[k];
          break;
      }
    }
  }
  iterations_++;
}

float LstmNet::run(const BatchSource& batch, bool train, uint64_t dropoutSeed, bool backward) {
  const size_t T = config_.timesteps;
  const bool text = config_.readsIds();
  const size_t rowLength = text ? T : T * config_.inputSize;
  if (!batch.x || batch.xLength % rowLength != 0)
    throw InputError("x has " + std::to_string(batch.xLength) + " values, not a whole number of samples of " + std::to_string(rowLength) + " (" +
                     (text ? std::to_string(T) + " ids" : std::to_string(T) + " steps x " + std::to_string(config_.inputSize) + " features") + ")");
  const size_t samples = batch.xLength / rowLength;
  const size_t yRow = config_.softmaxHead() ? 1 : config_.outputs;
  if (!batch.y || batch.yLength != samples * yRow)
    throw InputError("y has " + std::to_string(batch.yLength) + " values; x's " + std::to_string(samples) + " samples need " + std::to_string(samples * yRow));
  if (batch.count == 0) throw InputError("a batch needs at least one sample");
  ensureCapacity(batch.count);
  gather(batch, batch.count, true);
  forward(batch.count, train, dropoutSeed);
  const float loss = headLoss(batch.count, batch, backward);
  if (backward) backwardLayers(batch.count);
  return loss;
}

float LstmNet::trainBatch(const BatchSource& batch, uint64_t dropoutSeed) {
  const float loss = run(batch, true, dropoutSeed, true);
  // A non-finite loss would poison every weight through Adam; the caller decides what to do.
  if (std::isfinite(loss)) optimizerStep();
  return loss;
}

float LstmNet::lossAndGradients(const BatchSource& batch) { return run(batch, false, 0, true); }

std::vector<float> LstmNet::predict(const float* x, size_t xLength, size_t chunk) {
  const size_t T = config_.timesteps;
  const size_t rowLength = config_.readsIds() ? T : T * config_.inputSize;
  if (!x || xLength % rowLength != 0)
    throw InputError("x has " + std::to_string(xLength) + " values, not a whole number of samples of " + std::to_string(rowLength));
  if (chunk == 0) throw InputError("chunk must be positive");
  const size_t samples = xLength / rowLength;
  const int O = config_.outputs;
  std::vector<float> result(samples * O);
  BatchSource source;
  source.x = x;
  source.xLength = xLength;
  for (size_t start = 0; start < samples; start += chunk) {
    const size_t count = std::min(chunk, samples - start);
    source.offset = start;
    source.count = count;
    ensureCapacity(count);
    gather(source, count, false);
    forward(count, false, 0);
    headLoss(count, source, false);
    std::memcpy(result.data() + start * O, out_.data(), count * O * sizeof(float));
  }
  return result;
}

}  // namespace lstm
