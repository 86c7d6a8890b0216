// XLA FFI handler around a native kernel's mechsim_solve_range (see mechsim/native/_ffi.py).
//
// One shim serves every kernel: the kernel's function address is an attribute of the call.
// Inputs come with vmap_method="broadcast_all": every operand carries the full batch, so
// t0, rtol, ts and atol are per lane; lanes are solved one at a time on `threads` threads.
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <thread>
#include <vector>

#include "xla/ffi/api/ffi.h"

namespace ffi = xla::ffi;

typedef int (*solve_range_t)(int64_t, int64_t, int64_t, int64_t, const double *, const double *,
                             const double *, const double *, const double *, const double *,
                             double, double, const double *, int64_t, double *, int32_t *,
                             int64_t *);

static ffi::Error Solve(ffi::Buffer<ffi::F64> p, ffi::Buffer<ffi::F64> y0,
                        ffi::Buffer<ffi::F64> times, ffi::Buffer<ffi::F64> jumps,
                        ffi::Buffer<ffi::F64> rates, ffi::Buffer<ffi::F64> ts,
                        ffi::Buffer<ffi::F64> t0, ffi::Buffer<ffi::F64> rtol,
                        ffi::Buffer<ffi::F64> atol, ffi::ResultBuffer<ffi::F64> ys,
                        ffi::ResultBuffer<ffi::S32> status, int64_t fn, int64_t n, int64_t np,
                        int64_t max_steps, int64_t threads) {
  const int64_t b = static_cast<int64_t>(p.element_count()) / np;
  if (b == 0) return ffi::Error::Success();
  const int64_t k = static_cast<int64_t>(ts.element_count()) / b;
  const int64_t m = static_cast<int64_t>(times.element_count()) / b;
  auto f = reinterpret_cast<solve_range_t>(fn);
  const double *P = p.typed_data(), *Y0 = y0.typed_data(), *TM = times.typed_data();
  const double *J = jumps.typed_data(), *R = rates.typed_data(), *TS = ts.typed_data();
  const double *T0 = t0.typed_data(), *RT = rtol.typed_data(), *AT = atol.typed_data();
  double *YS = ys->typed_data();
  int32_t *ST = status->typed_data();
  std::vector<int64_t> steps(b);
  std::atomic<int64_t> next(0);
  const int64_t nt = std::max<int64_t>(1, std::min<int64_t>(threads, b));
  const int64_t block = std::max<int64_t>(1, std::min<int64_t>(64, (b + 8 * nt - 1) / (8 * nt)));
  auto work = [&]() {
    for (;;) {
      int64_t s = next.fetch_add(block);
      if (s >= b) return;
      int64_t e = std::min(s + block, b);
      for (int64_t i = s; i < e; ++i)
        f(i, i + 1, m, k, P, Y0, TM, J, R, TS + i * k, T0[i], RT[i], AT + i * n, max_steps, YS,
          ST, steps.data());
    }
  };
  std::vector<std::thread> pool;
  for (int64_t t = 1; t < nt; ++t) pool.emplace_back(work);
  work();
  for (auto &th : pool) th.join();
  return ffi::Error::Success();
}

XLA_FFI_DEFINE_HANDLER_SYMBOL(MechsimNativeSolve, Solve,
                              ffi::Ffi::Bind()
                                  .Arg<ffi::Buffer<ffi::F64>>()
                                  .Arg<ffi::Buffer<ffi::F64>>()
                                  .Arg<ffi::Buffer<ffi::F64>>()
                                  .Arg<ffi::Buffer<ffi::F64>>()
                                  .Arg<ffi::Buffer<ffi::F64>>()
                                  .Arg<ffi::Buffer<ffi::F64>>()
                                  .Arg<ffi::Buffer<ffi::F64>>()
                                  .Arg<ffi::Buffer<ffi::F64>>()
                                  .Arg<ffi::Buffer<ffi::F64>>()
                                  .Ret<ffi::Buffer<ffi::F64>>()
                                  .Ret<ffi::Buffer<ffi::S32>>()
                                  .Attr<int64_t>("fn")
                                  .Attr<int64_t>("n")
                                  .Attr<int64_t>("np")
                                  .Attr<int64_t>("max_steps")
                                  .Attr<int64_t>("threads"));
