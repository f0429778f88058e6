// What the CPU and the CUDA engine build their networks from: tfjs's weight names and shapes, and the id check.
#pragma once
#include <cmath>
#include <string>
#include <vector>

#include "lstm_net.h"

namespace lstm {

// tfjs's layer names: lstm, gru, simple_rnn.
inline const char* cellName(Cell cell) { return cell == Cell::Lstm ? "lstm" : cell == Cell::Gru ? "gru" : "simple_rnn"; }

// A weight of the given shape, zeros, with its gradient and optimizer slots.
inline Param makeParam(const std::string& name, std::vector<int> shape) {
  size_t size = 1;
  for (int d : shape) size *= static_cast<size_t>(d);
  Param p;
  p.name = name;
  p.shape = std::move(shape);
  p.value.assign(size, 0.0f);
  p.grad.assign(size, 0.0f);
  p.m.assign(size, 0.0f);
  p.v.assign(size, 0.0f);
  return p;
}

// An id as the engines read them: a whole float in [0, limit).
inline bool isIndex(float value, int limit) { return value >= 0 && value < static_cast<float>(limit) && value == std::floor(value); }

}  // namespace lstm
