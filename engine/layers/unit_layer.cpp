// The cold members of every unit layer (layers/unit_layer.h), compiled for size in wasm.
#include "layers/unit_layer.h"

namespace relu {

template <typename T>
void UnitLayer<T>::zero_frozen_grads(T* grads) const {
  for (int i = 0; i < unit_count; ++i) {
    if (!frozen[i]) continue;
    for (int j = 0; j < fan_in; ++j) grads[weight_index(i, j)] = T(0);
    grads[b_off + i] = grads[s_off + i] = T(0);
    if (norm.active()) grads[norm.g_off + i] = grads[norm.beta_off + i] = T(0);
  }
}

template struct UnitLayer<float>;
template struct UnitLayer<double>;

}  // namespace relu
