#include "tools/ladderctl/display_width.h"

#include <algorithm>

namespace ladder::ladderctl {
namespace {

struct Range {
  char32_t first;
  char32_t last;
};

// Wide (W) and fullwidth (F) blocks of Unicode's EastAsianWidth.txt, coalesced. A table laid
// out by hand: the formatter would put each range on a line of its own.
// clang-format off
constexpr Range kWide[] = {
    {0x1100, 0x115F},   // Hangul Jamo initial consonants
    {0x231A, 0x231B},   // watch, hourglass
    {0x2329, 0x232A},   // angle brackets
    {0x23E9, 0x23EC},   {0x23F0, 0x23F0}, {0x23F3, 0x23F3},
    {0x25FD, 0x25FE},   {0x2614, 0x2615}, {0x2648, 0x2653}, {0x267F, 0x267F},
    {0x2693, 0x2693},   {0x26A1, 0x26A1}, {0x26AA, 0x26AB}, {0x26BD, 0x26BE},
    {0x26C4, 0x26C5},   {0x26CE, 0x26CE}, {0x26D4, 0x26D4}, {0x26EA, 0x26EA},
    {0x26F2, 0x26F3},   {0x26F5, 0x26F5}, {0x26FA, 0x26FA}, {0x26FD, 0x26FD},
    {0x2705, 0x2705},   {0x270A, 0x270B}, {0x2728, 0x2728}, {0x274C, 0x274C},
    {0x274E, 0x274E},   {0x2753, 0x2755}, {0x2757, 0x2757}, {0x2795, 0x2797},
    {0x27B0, 0x27B0},   {0x27BF, 0x27BF}, {0x2B1B, 0x2B1C}, {0x2B50, 0x2B50},
    {0x2B55, 0x2B55},
    {0x2E80, 0x303E},   // CJK radicals, Kangxi radicals, CJK symbols and punctuation
    {0x3041, 0x33FF},   // Hiragana, Katakana, Bopomofo, Hangul compatibility, CJK compatibility
    {0x3400, 0x4DBF},   // CJK extension A
    {0x4E00, 0x9FFF},   // CJK unified ideographs
    {0xA000, 0xA4CF},   // Yi
    {0xA960, 0xA97F},   // Hangul Jamo extended A
    {0xAC00, 0xD7A3},   // Hangul syllables
    {0xF900, 0xFAFF},   // CJK compatibility ideographs
    {0xFE10, 0xFE19},   // vertical forms
    {0xFE30, 0xFE6F},   // CJK compatibility forms, small form variants
    {0xFF00, 0xFF60},   // fullwidth forms
    {0xFFE0, 0xFFE6},   // fullwidth signs
    {0x16FE0, 0x16FE4}, {0x17000, 0x18CFF}, {0x1B000, 0x1B2FF},
    {0x1F004, 0x1F004}, {0x1F0CF, 0x1F0CF}, {0x1F18E, 0x1F18E}, {0x1F191, 0x1F19A},
    {0x1F200, 0x1F251}, {0x1F300, 0x1F64F}, {0x1F680, 0x1F6FF}, {0x1F7E0, 0x1F7EB},
    {0x1F90C, 0x1F9FF}, {0x1FA70, 0x1FAFF},
    {0x20000, 0x2FFFD},  // CJK extensions B to F
    {0x30000, 0x3FFFD},  // CJK extension G
};
// clang-format on

// Characters that take no column of their own.
constexpr Range kZero[] = {
    {0x0300, 0x036F},  // combining diacritical marks
    {0x0483, 0x0489},   {0x0591, 0x05BD}, {0x0610, 0x061A}, {0x064B, 0x065F},
    {0x1AB0, 0x1AFF},   {0x1DC0, 0x1DFF}, {0x200B, 0x200F},  // zero-width space, joiners, direction marks
    {0x2028, 0x202E},   {0x2060, 0x2064}, {0x20D0, 0x20FF},  // combining marks for symbols
    {0x302A, 0x302D},                                        // ideographic tone marks
    {0x3099, 0x309A},                                        // kana voicing marks
    {0xFE00, 0xFE0F},                                        // variation selectors
    {0xFE20, 0xFE2F},                                        // combining half marks
    {0xFEFF, 0xFEFF},                                        // byte-order mark
    {0xE0100, 0xE01EF},
};

template <size_t N>
bool InRanges(const Range (&ranges)[N], char32_t c) {
  const Range* end = ranges + N;
  const Range* it =
      std::upper_bound(ranges, end, c, [](char32_t value, const Range& range) { return value < range.first; });
  return it != ranges && c <= (it - 1)->last;
}

}  // namespace

bool DecodeUtf8(absl::string_view text, size_t* pos, char32_t* code_point) {
  const auto byte = [&](size_t i) { return static_cast<unsigned char>(text[i]); };
  const size_t start = *pos;
  const unsigned char lead = byte(start);
  int length = 0;
  char32_t value = 0;
  if (lead < 0x80) {
    *code_point = lead;
    *pos = start + 1;
    return true;
  } else if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
    value = lead & 0x1F;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    value = lead & 0x0F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    value = lead & 0x07;
  } else {
    *pos = start + 1;
    return false;
  }
  if (start + length > text.size()) {
    *pos = start + 1;
    return false;
  }
  for (int i = 1; i < length; ++i) {
    const unsigned char next = byte(start + i);
    if ((next & 0xC0) != 0x80) {
      *pos = start + 1;
      return false;
    }
    value = (value << 6) | (next & 0x3F);
  }
  const bool overlong = (length == 3 && value < 0x800) || (length == 4 && value < 0x10000);
  if (overlong || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF)) {
    *pos = start + 1;
    return false;
  }
  *code_point = value;
  *pos = start + length;
  return true;
}

int CodePointWidth(char32_t c) {
  if (c == 0) return 0;
  if (c < 0x20 || (c >= 0x7F && c < 0xA0)) return 0;  // control characters
  if (c < 0x300) return 1;
  if (InRanges(kZero, c)) return 0;
  if (InRanges(kWide, c)) return 2;
  return 1;
}

int DisplayWidth(absl::string_view text) {
  int width = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    char32_t c = 0;
    width += DecodeUtf8(text, &pos, &c) ? CodePointWidth(c) : 1;
  }
  return width;
}

std::string PadRight(absl::string_view text, int width) {
  std::string out(text);
  out.append(static_cast<size_t>(std::max(0, width - DisplayWidth(text))), ' ');
  return out;
}

std::string PadLeft(absl::string_view text, int width) {
  std::string out(static_cast<size_t>(std::max(0, width - DisplayWidth(text))), ' ');
  out.append(text.data(), text.size());
  return out;
}

std::string Truncate(absl::string_view text, int width) {
  if (DisplayWidth(text) <= width) return std::string(text);
  if (width <= 0) return "";
  std::string out;
  int used = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    const size_t start = pos;
    char32_t c = 0;
    const int w = DecodeUtf8(text, &pos, &c) ? CodePointWidth(c) : 1;
    if (used + w > width - 1) break;  // keep one column for the ellipsis
    out.append(text.substr(start, pos - start).data(), pos - start);
    used += w;
  }
  return out + "…";
}

}  // namespace ladder::ladderctl
