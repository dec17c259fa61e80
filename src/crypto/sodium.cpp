#include "crypto/sodium.hpp"

#include <sodium.h>

#include "core/error.hpp"

namespace chartroom::crypto {

void EnsureSodium() {
  static const int ready = sodium_init();
  CHARTROOM_CHECK(ready >= 0);
}

}  // namespace chartroom::crypto
