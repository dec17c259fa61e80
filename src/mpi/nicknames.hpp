// Informal given names and the formal name each stands for ("bob" -> "robert"), folded (text.hpp).
// A self-made list of common English, Spanish and other forms; a name with several formal
// readings ("al": albert, alan, alfred...) maps to none of them and is compared as written.
//
// Thread safety: immutable static data.

#pragma once

#include <string_view>

namespace chartroom::mpi {

// The formal name `given` (folded) is an informal form of, or `given` itself.
std::string_view FormalGiven(std::string_view given);

}  // namespace chartroom::mpi
