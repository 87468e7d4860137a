{
  "targets": [
    {
      "target_name": "copy_range",
      "sources": ["copy_range.c"],
      "cflags": ["-O2", "-Wall", "-Wextra"],
      "defines": ["NAPI_VERSION=8"]
    }
  ]
}
