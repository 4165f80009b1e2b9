#pragma once

// How many terminal columns text takes, so that tables line up when names mix Chinese and
// Latin letters: a CJK ideograph or a fullwidth form takes two columns, a Latin letter one,
// a combining mark none (Unicode East Asian Width, wide and fullwidth classes; ambiguous
// characters count one, as terminals outside CJK locales show them).

#include <string>

#include "absl/strings/string_view.h"

namespace ladder::ladderctl {

// Columns of one code point: 0, 1 or 2.
int CodePointWidth(char32_t code_point);

// Columns of UTF-8 text. A malformed byte counts one column (it shows as a replacement).
int DisplayWidth(absl::string_view text);

// `text` followed (PadRight) or preceded (PadLeft) by spaces up to `width` columns; text
// already as wide or wider is returned as it is.
std::string PadRight(absl::string_view text, int width);
std::string PadLeft(absl::string_view text, int width);

// `text` cut to at most `width` columns, ending in "…" when cut; never splits a character.
std::string Truncate(absl::string_view text, int width);

// Decodes one UTF-8 code point at `text[*pos]` and advances `*pos`. Returns false (and
// advances by one byte) on a malformed or overlong sequence, a surrogate or a value past
// U+10FFFF.
bool DecodeUtf8(absl::string_view text, size_t* pos, char32_t* code_point);

}  // namespace ladder::ladderctl
