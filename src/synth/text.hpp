// Text helpers for the generator: ASCII folding of the accented letters the name tables use,
// ASCII case changes, base64, and the registration-error edits used for duplicate records
// (keyboard-adjacent substitution, transposition, omission, doubling). Every edit keeps the text
// valid UTF-8: only ASCII letters are edited, multi-byte sequences are never split.
//
// Thread safety: pure functions.

#pragma once

#include <string>
#include <string_view>

namespace chartroom::synth {

class Rng;

// Replaces the accented Latin letters of the name tables by their base letter ("José" -> "Jose",
// "Nguyễn" -> "Nguyen", "Søren" -> "Soren"); other bytes are kept.
std::string FoldAscii(std::string_view text);
bool IsAscii(std::string_view text);
// ASCII upper/lower case; other bytes kept.
std::string AsciiUpper(std::string_view text);
std::string AsciiLower(std::string_view text);

// Standard base64 (RFC 4648 section 4) with padding.
std::string Base64(std::string_view bytes);

enum class TypoKind { kTransposition, kSubstitution, kOmission, kDoubling };
// Applies one typing error of `kind` at a random ASCII letter of `text`, keeping the first letter
// (registration clerks rarely miss it). Returns `text` unchanged when it has too few ASCII
// letters.
std::string Typo(std::string_view text, TypoKind kind, Rng& rng);

}  // namespace chartroom::synth
