// copyFileRange(fdIn, offsetIn, fdOut, offsetOut, length) → Promise<number>: copy_file_range(2) of one byte range
// between two open files, looped until `length` bytes are copied or the input ends, on libuv's thread pool so the
// event loop never waits on the kernel's copy. Resolves with the bytes copied (fewer than `length` only at the end
// of the input); rejects with an Error whose `code` is the errno name (EXDEV, EINVAL, ENOSYS, EOPNOTSUPP, ...), the
// caller's cue to fall back to read/write. Offsets are passed explicitly, so the files' own positions never move.
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <node_api.h>
#include <uv.h>

typedef struct {
  napi_async_work work;
  napi_deferred deferred;
  int fd_in, fd_out;
  int64_t off_in, off_out, length, done;
  int err;
} Job;

static void execute(napi_env env, void* data) {
  (void)env;
  Job* job = data;
  loff_t in = job->off_in, out = job->off_out;
  while (job->done < job->length) {
    // One call copies at most about 2 GiB; the kernel advances `in` and `out`.
    size_t want = (size_t)(job->length - job->done);
    ssize_t n = copy_file_range(job->fd_in, &in, job->fd_out, &out, want, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      job->err = errno;
      return;
    }
    if (n == 0) return;  // end of the input
    job->done += n;
  }
}

static void complete(napi_env env, napi_status status, void* data) {
  Job* job = data;
  napi_value result;
  if (status != napi_ok) {
    napi_value msg;
    napi_create_string_utf8(env, "copy_file_range: the work was cancelled", NAPI_AUTO_LENGTH, &msg);
    napi_create_error(env, NULL, msg, &result);
    napi_reject_deferred(env, job->deferred, result);
  } else if (job->err != 0) {
    napi_value code, msg, errno_value;
    napi_create_string_utf8(env, uv_err_name(-job->err), NAPI_AUTO_LENGTH, &code);
    char text[256];
    snprintf(text, sizeof text, "copy_file_range: %s", strerror(job->err));
    napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &msg);
    napi_create_error(env, code, msg, &result);
    napi_create_int32(env, -job->err, &errno_value);
    napi_set_named_property(env, result, "errno", errno_value);
    napi_reject_deferred(env, job->deferred, result);
  } else {
    napi_create_double(env, (double)job->done, &result);
    napi_resolve_deferred(env, job->deferred, result);
  }
  napi_delete_async_work(env, job->work);
  free(job);
}

static napi_value copy_file_range_js(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return NULL;
  int64_t v[5];
  for (size_t i = 0; i < 5; i++) {
    double d;
    if (i >= argc || napi_get_value_double(env, argv[i], &d) != napi_ok || d < 0 || d > 9007199254740991.0 || d != (double)(int64_t)d) {
      napi_throw_type_error(env, NULL, "copyFileRange(fdIn, offsetIn, fdOut, offsetOut, length): non-negative integers expected");
      return NULL;
    }
    v[i] = (int64_t)d;
  }
  Job* job = calloc(1, sizeof *job);
  if (!job) {
    napi_throw_error(env, NULL, "copyFileRange: out of memory");
    return NULL;
  }
  job->fd_in = (int)v[0];
  job->off_in = v[1];
  job->fd_out = (int)v[2];
  job->off_out = v[3];
  job->length = v[4];
  napi_value promise, name;
  napi_create_promise(env, &job->deferred, &promise);
  napi_create_string_utf8(env, "copyFileRange", NAPI_AUTO_LENGTH, &name);
  napi_create_async_work(env, NULL, name, execute, complete, job, &job->work);
  napi_queue_async_work(env, job->work);
  return promise;
}

NAPI_MODULE_INIT() {
  napi_value fn;
  napi_create_function(env, "copyFileRange", NAPI_AUTO_LENGTH, copy_file_range_js, NULL, &fn);
  napi_set_named_property(env, exports, "copyFileRange", fn);
  return exports;
}
