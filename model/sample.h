// Sample: one timestamped float, the unit the bulk read path moves from
// tsdb's chunk decoders to the query engine; SampleVector: the growable array
// it moves in.
//
// Sample is trivial and deliberately has no member initialisers, and
// SampleVector's allocator default-initialises, so growing a SampleVector
// (resize) does not write zeros that a decoder overwrites right after.
// Aggregate-initialise (Sample{t, v}) where a value is meant.
#pragma once

#include <cstdint>
#include <memory>
#include <new>
#include <type_traits>
#include <utility>
#include <vector>

namespace model {

struct Sample {
  int64_t t;  // milliseconds since the epoch
  double v;
};

// std::allocator, except that construction without arguments
// default-initialises (leaves trivial types uninitialised) instead of
// value-initialising.
template <typename T>
struct DefaultInitAllocator : std::allocator<T> {
  using value_type = T;
  template <typename U>
  struct rebind {
    using other = DefaultInitAllocator<U>;
  };
  DefaultInitAllocator() noexcept = default;
  template <typename U>
  DefaultInitAllocator(const DefaultInitAllocator<U>&) noexcept {}

  template <typename U>
  void construct(U* p) noexcept(std::is_nothrow_default_constructible_v<U>) {
    ::new (static_cast<void*>(p)) U;
  }
  template <typename U, typename... Args>
  void construct(U* p, Args&&... args) {
    ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
  }
};

using SampleVector = std::vector<Sample, DefaultInitAllocator<Sample>>;

}  // namespace model
