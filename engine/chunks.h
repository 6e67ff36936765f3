// The one chunked loop: every pass over more columns than the network's workspaces hold
// (a big batch, an evaluation set, a prediction grid) walks them in chunks of at most
// `chunk` columns, so no buffer depends on n.
#pragma once
#include <algorithm>

namespace relu {

// Calls f(first, cols) for consecutive column ranges [first, first + cols) covering [0, n).
template <typename F>
void for_each_chunk(int n, int chunk, F&& f) {
  for (int first = 0; first < n; first += chunk) f(first, std::min(chunk, n - first));
}

}  // namespace relu
