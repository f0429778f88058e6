// N-API surface of the engine: every failure, from bad input to exhausted memory, becomes a thrown JS Error.
// Compiled twice: for the CPU engine (lstm_engine.node, OpenBLAS), and with TUNEFORGE_CUDA for the CUDA engine
// (lstm_cuda.node, cuda/build.js), whose network has the same surface.
#include <napi.h>

#ifndef TUNEFORGE_CUDA
#include <cblas.h>
#endif

#include <algorithm>
#include <cmath>
#include <exception>
#include <initializer_list>
#include <memory>
#include <vector>
#include <new>

#include "lstm_net.h"
#ifdef TUNEFORGE_CUDA
#include "../cuda/cuda_net.h"
#endif

namespace {

using lstm::InputError;
using lstm::NetConfig;
#ifdef TUNEFORGE_CUDA
using LstmNet = lstm::CudaNet;
#else
using lstm::LstmNet;
#endif

double numberOption(const Napi::Object& options, const char* key, double fallback, bool required = false) {
  Napi::Value value = options.Get(key);
  if (value.IsUndefined() || value.IsNull()) {
    if (required) throw InputError(std::string("option '") + key + "' is required");
    return fallback;
  }
  if (!value.IsNumber()) throw InputError(std::string("option '") + key + "' must be a number");
  const double number = value.As<Napi::Number>().DoubleValue();
  if (!std::isfinite(number)) throw InputError(std::string("option '") + key + "' must be finite");
  return number;
}

int intOption(const Napi::Object& options, const char* key, double fallback, bool required = false) {
  const double number = numberOption(options, key, fallback, required);
  if (number != std::floor(number) || number < 0 || number > 1e9) throw InputError(std::string("option '") + key + "' must be a non-negative integer");
  return static_cast<int>(number);
}

NetConfig parseConfig(const Napi::Value& arg) {
  if (!arg.IsObject()) throw InputError("LstmNet expects an options object");
  Napi::Object options = arg.As<Napi::Object>();
  NetConfig config;
  Napi::Value task = options.Get("task");
  const std::string taskName = task.IsString() ? task.As<Napi::String>().Utf8Value() : "";
  if (taskName == "forecast") config.task = lstm::Task::Forecast;
  else if (taskName == "text") config.task = lstm::Task::Text;
  else if (taskName == "classify") config.task = lstm::Task::Classify;
  else throw InputError("option 'task' must be 'forecast', 'text' or 'classify'");
  config.timesteps = intOption(options, "timesteps", 0, true);
  config.inputSize = intOption(options, "inputSize", 0, true);
  config.embeddingDim = intOption(options, "embeddingDim", 0);
  config.outputs = intOption(options, "outputs", 0, true);
  Napi::Value hidden = options.Get("hiddenUnits");
  if (!hidden.IsArray()) throw InputError("option 'hiddenUnits' must be an array with one entry per layer");
  Napi::Array units = hidden.As<Napi::Array>();
  for (uint32_t i = 0; i < units.Length(); i++) {
    Napi::Value unit = units.Get(i);
    if (!unit.IsNumber()) throw InputError("hiddenUnits[" + std::to_string(i) + "] must be a number");
    const double value = unit.As<Napi::Number>().DoubleValue();
    if (value != std::floor(value) || value < 1 || value > 65536) throw InputError("hiddenUnits[" + std::to_string(i) + "] must be an integer in [1, 65536]");
    config.hiddenUnits.push_back(static_cast<int>(value));
  }
  Napi::Value cells = options.Get("cells");
  if (!cells.IsUndefined()) {
    if (!cells.IsArray()) throw InputError("option 'cells' must be an array with one of 'lstm', 'gru', 'rnn' per layer");
    Napi::Array names = cells.As<Napi::Array>();
    for (uint32_t i = 0; i < names.Length(); i++) {
      Napi::Value cell = names.Get(i);
      const std::string name = cell.IsString() ? cell.As<Napi::String>().Utf8Value() : "";
      if (name == "lstm") config.cells.push_back(lstm::Cell::Lstm);
      else if (name == "gru") config.cells.push_back(lstm::Cell::Gru);
      else if (name == "rnn") config.cells.push_back(lstm::Cell::Rnn);
      else throw InputError("cells[" + std::to_string(i) + "] must be 'lstm', 'gru' or 'rnn'");
    }
  }
  Napi::Value bidirectional = options.Get("bidirectional");
  if (!bidirectional.IsUndefined() && !bidirectional.IsBoolean()) throw InputError("option 'bidirectional' must be true or false");
  config.bidirectional = bidirectional.IsBoolean() && bidirectional.As<Napi::Boolean>().Value();
  config.dropout = static_cast<float>(numberOption(options, "dropout", 0));
  config.recurrentDropout = static_cast<float>(numberOption(options, "recurrentDropout", 0));
  config.learningRate = static_cast<float>(numberOption(options, "learningRate", 1e-3));
  config.beta1 = numberOption(options, "beta1", 0.9);
  config.beta2 = numberOption(options, "beta2", 0.999);
  config.epsilon = static_cast<float>(numberOption(options, "epsilon", 1e-7));
  config.clipNorm = static_cast<float>(numberOption(options, "clipNorm", 0));
  Napi::Value optimizer = options.Get("optimizer");
  const std::string optimizerName = optimizer.IsString() ? optimizer.As<Napi::String>().Utf8Value() : optimizer.IsUndefined() ? "adam" : "";
  if (optimizerName == "adam") config.optimizer = lstm::Optimizer::Adam;
  else if (optimizerName == "adamw") config.optimizer = lstm::Optimizer::AdamW;
  else if (optimizerName == "sgd") config.optimizer = lstm::Optimizer::Sgd;
  else if (optimizerName == "rmsprop") config.optimizer = lstm::Optimizer::RmsProp;
  else throw InputError("option 'optimizer' must be 'adam', 'adamw', 'sgd' or 'rmsprop'");
  config.momentum = static_cast<float>(numberOption(options, "momentum", 0));
  config.rho = static_cast<float>(numberOption(options, "rho", 0.9));
  config.weightDecay = static_cast<float>(numberOption(options, "weightDecay", 0));
  return config;
}

Napi::Float32Array toFloat32Array(Napi::Env env, const std::vector<float>& values) {
  Napi::Float32Array array = Napi::Float32Array::New(env, values.size());
  std::copy(values.begin(), values.end(), array.Data());
  return array;
}

const Napi::Float32Array& expectFloat32(const Napi::Value& value, const char* what, Napi::Float32Array& holder) {
  if (!value.IsTypedArray() || value.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array)
    throw InputError(std::string(what) + " must be a Float32Array");
  holder = value.As<Napi::Float32Array>();
  return holder;
}

class NetWrap : public Napi::ObjectWrap<NetWrap> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "LstmNet",
                       {
                           InstanceMethod("paramInfo", &NetWrap::ParamInfo),
                           InstanceMethod("getParam", &NetWrap::GetParam),
                           InstanceMethod("setParam", &NetWrap::SetParam),
                           InstanceMethod("getGradient", &NetWrap::GetGradient),
                           InstanceMethod("getAdamMoments", &NetWrap::GetAdamMoments),
                           InstanceMethod("setAdamMoments", &NetWrap::SetAdamMoments),
                           InstanceMethod("getIterations", &NetWrap::GetIterations),
                           InstanceMethod("setIterations", &NetWrap::SetIterations),
                           InstanceMethod("setLearningRate", &NetWrap::SetLearningRate),
                           InstanceMethod("trainBatch", &NetWrap::TrainBatch),
                           InstanceMethod("trainBatchesAsync", &NetWrap::TrainBatchesAsync),
                           InstanceMethod("lossAndGradients", &NetWrap::LossAndGradients),
                           InstanceMethod("predict", &NetWrap::Predict),
                           InstanceMethod("release", &NetWrap::Release),
                       });
  }

  explicit NetWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<NetWrap>(info) {
    guard(info.Env(), [&]() {
      net_ = std::make_unique<LstmNet>(parseConfig(info[0]));
      return info.Env().Undefined();
    });
  }

 private:
  // Runs `body`, turning C++ failures into a pending JS exception (never an abort).
  template <typename Body>
  static Napi::Value guard(Napi::Env env, Body body) {
    try {
      return body();
    } catch (const Napi::Error&) {
      throw;
    } catch (const InputError& error) {
      throw Napi::Error::New(env, error.what());
    } catch (const std::bad_alloc&) {
      throw Napi::Error::New(env, "lstm-engine ran out of memory");
    } catch (const std::exception& error) {
      throw Napi::Error::New(env, std::string("lstm-engine failed: ") + error.what());
    }
  }

  // Frees the network's buffers now rather than when the wrapper is garbage-collected.
  Napi::Value Release(const Napi::CallbackInfo& info) {
    return guard(info.Env(), [&]() -> Napi::Value {
      if (busy_) throw InputError("this LstmNet is training (trainBatchesAsync); await it before releasing it");
      net_.reset();
      return info.Env().Undefined();
    });
  }

  LstmNet& net() {
    if (!net_) throw InputError("this LstmNet was released");
    if (busy_) throw InputError("this LstmNet is training (trainBatchesAsync); await it first");
    return *net_;
  }

  lstm::Param& param(const Napi::Value& index) {
    if (!index.IsNumber()) throw InputError("parameter index must be a number");
    const int64_t i = index.As<Napi::Number>().Int64Value();
    if (i < 0 || static_cast<size_t>(i) >= net().params().size())
      throw InputError("parameter index " + std::to_string(i) + " is outside [0, " + std::to_string(net().params().size()) + ")");
    return net().params()[i];
  }

  static void copyInto(std::vector<float>& dest, const Napi::Value& value, const lstm::Param& p, const char* what) {
    Napi::Float32Array holder;
    const Napi::Float32Array& array = expectFloat32(value, what, holder);
    if (array.ElementLength() != dest.size())
      throw InputError(std::string(what) + " for '" + p.name + "' has " + std::to_string(array.ElementLength()) + " values; it needs " + std::to_string(dest.size()));
    const float* data = array.Data();
    for (size_t k = 0; k < dest.size(); k++)
      if (!std::isfinite(data[k])) throw InputError(std::string(what) + " for '" + p.name + "' holds a non-finite value at " + std::to_string(k));
    std::copy(data, data + dest.size(), dest.begin());
  }

  Napi::Value ParamInfo(const Napi::CallbackInfo& info) {
    return guard(info.Env(), [&]() -> Napi::Value { return paramInfo(info.Env()); });
  }

  Napi::Value paramInfo(Napi::Env env) {
    Napi::Array list = Napi::Array::New(env, net().params().size());
    for (size_t i = 0; i < net().params().size(); i++) {
      const lstm::Param& p = net().params()[i];
      Napi::Object entry = Napi::Object::New(env);
      entry.Set("name", p.name);
      Napi::Array shape = Napi::Array::New(env, p.shape.size());
      for (size_t d = 0; d < p.shape.size(); d++) shape.Set(d, p.shape[d]);
      entry.Set("shape", shape);
      list.Set(i, entry);
    }
    return list;
  }

  Napi::Value GetParam(const Napi::CallbackInfo& info) {
    return guard(info.Env(), [&]() -> Napi::Value { return toFloat32Array(info.Env(), param(info[0]).value); });
  }

  Napi::Value SetParam(const Napi::CallbackInfo& info) {
    return guard(info.Env(), [&]() -> Napi::Value {
      lstm::Param& p = param(info[0]);
      copyInto(p.value, info[1], p, "weights");
      return info.Env().Undefined();
    });
  }

  Napi::Value GetGradient(const Napi::CallbackInfo& info) {
    return guard(info.Env(), [&]() -> Napi::Value { return toFloat32Array(info.Env(), param(info[0]).grad); });
  }

  Napi::Value GetAdamMoments(const Napi::CallbackInfo& info) {
    return guard(info.Env(), [&]() -> Napi::Value {
      lstm::Param& p = param(info[0]);
      Napi::Object moments = Napi::Object::New(info.Env());
      moments.Set("m", toFloat32Array(info.Env(), p.m));
      moments.Set("v", toFloat32Array(info.Env(), p.v));
      return moments;
    });
  }

  Napi::Value SetAdamMoments(const Napi::CallbackInfo& info) {
    return guard(info.Env(), [&]() -> Napi::Value {
      lstm::Param& p = param(info[0]);
      copyInto(p.m, info[1], p, "Adam's first moment");
      copyInto(p.v, info[2], p, "Adam's second moment");
      return info.Env().Undefined();
    });
  }

  Napi::Value GetIterations(const Napi::CallbackInfo& info) {
    return guard(info.Env(), [&]() -> Napi::Value { return Napi::Number::New(info.Env(), static_cast<double>(net().iterations())); });
  }

  Napi::Value SetIterations(const Napi::CallbackInfo& info) {
    return guard(info.Env(), [&]() -> Napi::Value {
      if (!info[0].IsNumber()) throw InputError("iterations must be a number");
      const double value = info[0].As<Napi::Number>().DoubleValue();
      if (value != std::floor(value) || value < 0) throw InputError("iterations must be a non-negative integer");
      net().setIterations(static_cast<int64_t>(value));
      return info.Env().Undefined();
    });
  }

  Napi::Value SetLearningRate(const Napi::CallbackInfo& info) {
    return guard(info.Env(), [&]() -> Napi::Value {
      if (!info[0].IsNumber() || !(info[0].As<Napi::Number>().DoubleValue() > 0)) throw InputError("learning rate must be a positive number");
      net().setLearningRate(info[0].As<Napi::Number>().FloatValue());
      return info.Env().Undefined();
    });
  }

  // x, y: whole sample arrays; indices: the batch's rows (Int32Array), or null for all of them in order.
  lstm::BatchSource batchFrom(const Napi::CallbackInfo& info, Napi::Float32Array& xHolder, Napi::Float32Array& yHolder, Napi::Int32Array& indexHolder) {
    lstm::BatchSource source;
    const Napi::Float32Array& x = expectFloat32(info[0], "x", xHolder);
    const Napi::Float32Array& y = expectFloat32(info[1], "y", yHolder);
    source.x = x.Data();
    source.xLength = x.ElementLength();
    source.y = y.Data();
    source.yLength = y.ElementLength();
    const Napi::Value indices = info[2];
    if (indices.IsUndefined() || indices.IsNull()) {
      const size_t rowLength = net().config().readsIds() ? net().config().timesteps : static_cast<size_t>(net().config().timesteps) * net().config().inputSize;
      source.count = source.xLength / rowLength;
    } else {
      if (!indices.IsTypedArray() || indices.As<Napi::TypedArray>().TypedArrayType() != napi_int32_array) throw InputError("indices must be an Int32Array or null");
      indexHolder = indices.As<Napi::Int32Array>();
      source.indices = indexHolder.Data();
      source.count = indexHolder.ElementLength();
    }
    return source;
  }

  Napi::Value TrainBatch(const Napi::CallbackInfo& info) {
    return guard(info.Env(), [&]() -> Napi::Value {
      Napi::Float32Array x, y;
      Napi::Int32Array indices;
      lstm::BatchSource source = batchFrom(info, x, y, indices);
      double seed = 0;
      if (info.Length() > 3 && info[3].IsNumber()) seed = info[3].As<Napi::Number>().DoubleValue();
      return Napi::Number::New(info.Env(), net().trainBatch(source, static_cast<uint64_t>(std::fabs(seed))));
    });
  }

  // trainBatch over consecutive batches of `order` on a libuv thread, one call per epoch: the event loop stays free, trials
  // in one process use several cores, and a batch costs no thread hand-off.
  Napi::Value TrainBatchesAsync(const Napi::CallbackInfo& info) {
    return guard(info.Env(), [&]() -> Napi::Value {
      Napi::Float32Array x, y;
      Napi::Int32Array order;
      LstmNet& target = net();
      lstm::BatchSource source = batchFrom(info, x, y, order);
      const double size = info[3].IsNumber() ? info[3].As<Napi::Number>().DoubleValue() : 0;
      if (!(size >= 1) || size != std::floor(size)) throw InputError("batchSize must be a positive integer");
      const size_t batchSize = static_cast<size_t>(size);
      const size_t batches = (source.count + batchSize - 1) / batchSize;
      if (!info[4].IsTypedArray() || info[4].As<Napi::TypedArray>().TypedArrayType() != napi_float64_array) throw InputError("dropoutSeeds must be a Float64Array");
      const Napi::Float64Array seedArray = info[4].As<Napi::Float64Array>();
      if (seedArray.ElementLength() != batches)
        throw InputError("dropoutSeeds has " + std::to_string(seedArray.ElementLength()) + " values; " + std::to_string(batches) + " batches need one each");
      std::vector<uint64_t> seeds(batches);
      for (size_t b = 0; b < batches; b++) seeds[b] = static_cast<uint64_t>(std::fabs(seedArray[b]));
      auto* worker = new TrainWorker(info.Env(), this, target, source, batchSize, std::move(seeds), {info.This(), info[0], info[1], info[2]});
      busy_ = true;
      Napi::Promise promise = worker->Promise();
      worker->Queue();
      return promise;
    });
  }

  class TrainWorker : public Napi::AsyncWorker {
   public:
    TrainWorker(Napi::Env env, NetWrap* wrap, LstmNet& net, lstm::BatchSource rows, size_t batchSize, std::vector<uint64_t> seeds, std::initializer_list<Napi::Value> keepAlive)
        : Napi::AsyncWorker(env, "lstm-engine:trainBatches"), deferred_(Napi::Promise::Deferred::New(env)), wrap_(wrap), net_(net), rows_(rows), batchSize_(batchSize), seeds_(std::move(seeds)) {
      // The wrapper and the typed arrays the batches read stay alive until the steps are done.
      for (const Napi::Value& value : keepAlive)
        if (value.IsObject()) kept_.push_back(Napi::Persistent(value.As<Napi::Object>()));
    }
    Napi::Promise Promise() { return deferred_.Promise(); }

    void Execute() override {
      try {
        for (size_t b = 0; b < seeds_.size(); b++) {
          lstm::BatchSource batch = rows_;
          if (rows_.indices) batch.indices = rows_.indices + b * batchSize_;
          else batch.offset = rows_.offset + b * batchSize_;
          batch.count = std::min(batchSize_, rows_.count - b * batchSize_);
          losses_.push_back(net_.trainBatch(batch, seeds_[b]));
          if (!std::isfinite(losses_.back())) break;
        }
      } catch (const std::bad_alloc&) {
        SetError("lstm-engine ran out of memory");
      } catch (const std::exception& error) {
        SetError(error.what());
      }
    }
    void OnOK() override {
      wrap_->busy_ = false;
      deferred_.Resolve(toFloat32Array(Env(), losses_));
    }
    // The error says which batch failed (its `batch`); the batches before it were trained.
    void OnError(const Napi::Error& error) override {
      wrap_->busy_ = false;
      error.Value().Set("batch", Napi::Number::New(Env(), static_cast<double>(losses_.size())));
      deferred_.Reject(error.Value());
    }

   private:
    Napi::Promise::Deferred deferred_;
    NetWrap* wrap_;
    LstmNet& net_;
    lstm::BatchSource rows_;
    size_t batchSize_;
    std::vector<uint64_t> seeds_;
    std::vector<float> losses_;
    std::vector<Napi::ObjectReference> kept_;
  };

  Napi::Value LossAndGradients(const Napi::CallbackInfo& info) {
    return guard(info.Env(), [&]() -> Napi::Value {
      Napi::Float32Array x, y;
      Napi::Int32Array indices;
      lstm::BatchSource source = batchFrom(info, x, y, indices);
      return Napi::Number::New(info.Env(), net().lossAndGradients(source));
    });
  }

  Napi::Value Predict(const Napi::CallbackInfo& info) {
    return guard(info.Env(), [&]() -> Napi::Value {
      Napi::Float32Array holder;
      const Napi::Float32Array& x = expectFloat32(info[0], "x", holder);
      double chunk = 256;
      if (info.Length() > 1 && info[1].IsNumber()) chunk = info[1].As<Napi::Number>().DoubleValue();
      if (!(chunk >= 1)) throw InputError("chunk must be a positive integer");
      return toFloat32Array(info.Env(), net().predict(x.Data(), x.ElementLength(), static_cast<size_t>(chunk)));
    });
  }

  std::unique_ptr<LstmNet> net_;
  bool busy_ = false;
};

#ifdef TUNEFORGE_CUDA
// The GPUs this process sees, with their memory now.
Napi::Value Devices(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  try {
    const std::vector<lstm::CudaDevice> devices = lstm::CudaNet::devices();
    Napi::Array out = Napi::Array::New(env, devices.size());
    for (size_t i = 0; i < devices.size(); i++) {
      Napi::Object d = Napi::Object::New(env);
      d.Set("index", devices[i].index);
      d.Set("name", devices[i].name);
      d.Set("freeBytes", static_cast<double>(devices[i].freeBytes));
      d.Set("totalBytes", static_cast<double>(devices[i].totalBytes));
      out.Set(i, d);
    }
    return out;
  } catch (const std::exception& error) {
    throw Napi::Error::New(env, std::string("lstm-cuda failed: ") + error.what());
  }
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("LstmNet", NetWrap::Define(env));
  exports.Set("devices", Napi::Function::New(env, Devices));
  return exports;
}

}  // namespace

NODE_API_MODULE(lstm_cuda, Init)
#else
Napi::Value SetThreads(const Napi::CallbackInfo& info) {
  if (!info[0].IsNumber()) throw Napi::Error::New(info.Env(), "setThreads expects a number of threads");
  const int threads = info[0].As<Napi::Number>().Int32Value();
  if (threads < 1 || threads > 1024) throw Napi::Error::New(info.Env(), "threads must be an integer in [1, 1024]");
  openblas_set_num_threads(threads);
  return info.Env().Undefined();
}

Napi::Value GetThreads(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), openblas_get_num_threads()); }

Napi::Value BlasConfig(const Napi::CallbackInfo& info) { return Napi::String::New(info.Env(), openblas_get_config()); }

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  // One trial per core by default: BLAS threads are opted into per process.
  openblas_set_num_threads(1);
  exports.Set("LstmNet", NetWrap::Define(env));
  exports.Set("setThreads", Napi::Function::New(env, SetThreads));
  exports.Set("getThreads", Napi::Function::New(env, GetThreads));
  exports.Set("blasConfig", Napi::Function::New(env, BlasConfig));
  return exports;
}

}  // namespace

NODE_API_MODULE(lstm_engine, Init)
#endif
