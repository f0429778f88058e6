{
  "targets": [
    {
      "target_name": "lstm_engine",
      "sources": ["native/binding.cc", "native/lstm_net.cc"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NODE_ADDON_API_DISABLE_DEPRECATED"],
      "libraries": ["-lopenblas"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-O2", "-O3"],
      "cflags_cc": ["-std=c++17", "-fexceptions", "-O3", "<!(node native/arch-flags.js)"]
    }
  ]
}
