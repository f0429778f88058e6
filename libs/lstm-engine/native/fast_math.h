// Branch-free float activations that GCC auto-vectorises (libm's tanhf is a scalar call per element).
#pragma once
#include <algorithm>
#include <cmath>

// The CUDA engine (cuda/cuda_net.cu) computes the same activations on the device.
#ifdef __CUDACC__
#define LSTM_HOST_DEVICE __host__ __device__
#else
#define LSTM_HOST_DEVICE
#endif

namespace lstm {

// tanh as a 13/6 rational approximation on [-7.9, 7.9] (the coefficients Eigen uses for its
// vectorised tanh); within a few float ulps of std::tanh.
LSTM_HOST_DEVICE inline float fast_tanh(float x) {
  const float clamp = 7.90531110763549805f;
  // Ternaries, not std::min/max: those return references, which keeps GCC from vectorising callers.
  float v = x > clamp ? clamp : x;
  v = v < -clamp ? -clamp : v;
  const float x2 = v * v;
  float p = -2.76076847742355e-16f;
  p = p * x2 + 2.00018790482477e-13f;
  p = p * x2 + -8.60467152213735e-11f;
  p = p * x2 + 5.12229709037114e-08f;
  p = p * x2 + 1.48572235717979e-05f;
  p = p * x2 + 6.37261928875436e-04f;
  p = p * x2 + 4.89352455891786e-03f;
  p = p * v;
  float q = 1.19825839466702e-06f;
  q = q * x2 + 1.18534705686654e-04f;
  q = q * x2 + 2.26843463243900e-03f;
  q = q * x2 + 4.89352518554385e-03f;
  const float r = p / q;
  // Tiny inputs: tanh(x) == x in float, and the ratio would lose the last bits.
  return fabsf(x) < 0.0004f ? x : r;
}

// TensorFlow.js's default LSTM recurrent activation: clip(0.2 x + 0.5, 0, 1).
LSTM_HOST_DEVICE inline float hard_sigmoid(float x) {
  const float y = 0.2f * x + 0.5f;
  return y < 0.0f ? 0.0f : (y > 1.0f ? 1.0f : y);
}

// Its derivative, read off the activated value (0 or 1 means the input was clipped).
LSTM_HOST_DEVICE inline float hard_sigmoid_grad(float y) { return (y > 0.0f && y < 1.0f) ? 0.2f : 0.0f; }

}  // namespace lstm
