// A Pike VM (Thompson NFA simulation with submatch tracking): see regex.hpp. The parser builds a
// small tree, the compiler flattens it into VM instructions, and Run() steps every live thread
// over the subject once, so time is O(subject x program) and nothing recurses on the subject.

#include "fhir/fhirpath/regex.hpp"

#include <algorithm>
#include <memory>

namespace chartroom::fhir::fhirpath {

namespace {

constexpr int kMaxNesting = 64;
constexpr int kMaxCount = 1000;  // largest {n,m} bound accepted

struct RNode {
  enum Kind {
    kEmpty,
    kChar,
    kAny,
    kClass,
    kCat,
    kAlt,
    kRepeat,
    kGroup,
    kBol,
    kEol,
    kWordB,
    kNotWordB
  } kind = kEmpty;
  unsigned char c = 0;
  int index = -1;  // kClass: class; kGroup: capture group (-1 for (?:...))
  int min = 0, max = -1;
  bool greedy = true;
  std::vector<std::unique_ptr<RNode>> kids;
};

bool IsWordChar(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

void AppendUtf8(std::vector<unsigned char>& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<unsigned char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<unsigned char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<unsigned char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<unsigned char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<unsigned char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<unsigned char>(0x80 | (cp & 0x3F)));
  }
}

}  // namespace

class RegexCompiler {
 public:
  explicit RegexCompiler(std::string_view pattern) : p_(pattern) {}

  std::optional<Regex> Compile() {
    auto tree = Alternation(0);
    if (!tree || pos_ != p_.size()) return std::nullopt;
    regex_.groups_ = groups_;
    // Group 0 is the whole match.
    if (!Push({Regex::Op::kSave, 0, 0, 0}) || !Emit(*tree) || !Push({Regex::Op::kSave, 0, 1, 0}) ||
        !Push({Regex::Op::kMatch, 0, 0, 0})) {
      return std::nullopt;
    }
    return std::move(regex_);
  }

 private:
  using Ptr = std::unique_ptr<RNode>;

  bool More() const { return pos_ < p_.size(); }
  char Peek() const { return p_[pos_]; }

  Ptr Alternation(int depth) {
    if (depth > kMaxNesting) return nullptr;
    auto first = Concatenation(depth);
    if (!first) return nullptr;
    if (!More() || Peek() != '|') return first;
    auto alt = std::make_unique<RNode>();
    alt->kind = RNode::kAlt;
    alt->kids.push_back(std::move(first));
    while (More() && Peek() == '|') {
      ++pos_;
      auto next = Concatenation(depth);
      if (!next) return nullptr;
      alt->kids.push_back(std::move(next));
    }
    return alt;
  }

  Ptr Concatenation(int depth) {
    auto cat = std::make_unique<RNode>();
    cat->kind = RNode::kCat;
    while (More() && Peek() != '|' && Peek() != ')') {
      auto atom = Atom(depth);
      if (!atom) return nullptr;
      auto repeated = Quantifier(std::move(atom));
      if (!repeated) return nullptr;
      cat->kids.push_back(std::move(repeated));
    }
    return cat;
  }

  bool Number(int* value) {
    std::size_t start = pos_;
    int v = 0;
    while (More() && Peek() >= '0' && Peek() <= '9') {
      v = v * 10 + (Peek() - '0');
      if (v > kMaxCount) return false;
      ++pos_;
    }
    *value = v;
    return pos_ > start;
  }

  Ptr Quantifier(Ptr atom) {
    if (!More()) return atom;
    int min = 0, max = -1;
    char q = Peek();
    if (q == '*') {
      ++pos_;
    } else if (q == '+') {
      min = 1;
      ++pos_;
    } else if (q == '?') {
      max = 1;
      ++pos_;
    } else if (q == '{') {
      std::size_t save = pos_;
      ++pos_;
      if (!More() || Peek() < '0' || Peek() > '9') {
        pos_ = save;  // a literal '{'
        return atom;
      }
      if (!Number(&min)) return nullptr;  // beyond kMaxCount
      max = min;
      if (More() && Peek() == ',') {
        ++pos_;
        max = -1;
        if (More() && Peek() != '}' && (!Number(&max) || max < min)) return nullptr;
      }
      if (!More() || Peek() != '}') return nullptr;
      ++pos_;
    } else {
      return atom;
    }
    if (atom->kind == RNode::kBol || atom->kind == RNode::kEol || atom->kind == RNode::kWordB ||
        atom->kind == RNode::kNotWordB) {
      return nullptr;
    }
    auto repeat = std::make_unique<RNode>();
    repeat->kind = RNode::kRepeat;
    repeat->min = min;
    repeat->max = max;
    if (More() && Peek() == '?') {
      repeat->greedy = false;
      ++pos_;
    }
    if (More() && (Peek() == '*' || Peek() == '+' || Peek() == '?' || Peek() == '{')) {
      return nullptr;  // possessive or stacked quantifiers
    }
    repeat->kids.push_back(std::move(atom));
    return repeat;
  }

  Ptr Literal(unsigned char c) {
    auto node = std::make_unique<RNode>();
    node->kind = RNode::kChar;
    node->c = c;
    return node;
  }

  Ptr ClassNode(const std::bitset<256>& set) {
    auto node = std::make_unique<RNode>();
    node->kind = RNode::kClass;
    node->index = static_cast<int>(regex_.classes_.size());
    regex_.classes_.push_back(set);
    return node;
  }

  static bool ShorthandClass(char e, std::bitset<256>* set) {
    std::bitset<256> s;
    char lower = static_cast<char>(e | 0x20);
    for (int c = 0; c < 256; ++c) {
      auto uc = static_cast<unsigned char>(c);
      bool in = lower == 'd'   ? (uc >= '0' && uc <= '9')
                : lower == 'w' ? IsWordChar(uc)
                               : (uc == ' ' || uc == '\t' || uc == '\n' || uc == '\r' ||
                                  uc == '\f' || uc == '\v');
      s[static_cast<std::size_t>(c)] = in;
    }
    if (lower != 'd' && lower != 'w' && lower != 's') return false;
    *set = e == lower ? s : ~s;
    return true;
  }

  // One escaped character (after '\'); UTF-8 bytes of \uHHHH go to `bytes`. Returns false for
  // an unsupported escape (backreferences, unknown letters).
  bool EscapedChar(std::vector<unsigned char>* bytes) {
    if (!More()) return false;
    char e = p_[pos_++];
    auto hex = [&](int digits) -> std::optional<std::uint32_t> {
      if (pos_ + static_cast<std::size_t>(digits) > p_.size()) return std::nullopt;
      std::uint32_t v = 0;
      for (int i = 0; i < digits; ++i) {
        char h = p_[pos_++];
        int d = h >= '0' && h <= '9'   ? h - '0'
                : h >= 'a' && h <= 'f' ? h - 'a' + 10
                : h >= 'A' && h <= 'F' ? h - 'A' + 10
                                       : -1;
        if (d < 0) return std::nullopt;
        v = v * 16 + static_cast<std::uint32_t>(d);
      }
      return v;
    };
    switch (e) {
      case 't':
        bytes->push_back('\t');
        return true;
      case 'n':
        bytes->push_back('\n');
        return true;
      case 'r':
        bytes->push_back('\r');
        return true;
      case 'f':
        bytes->push_back('\f');
        return true;
      case 'v':
        bytes->push_back('\v');
        return true;
      case 'x': {
        auto v = hex(2);
        if (!v) return false;
        bytes->push_back(static_cast<unsigned char>(*v));
        return true;
      }
      case 'u': {
        auto v = hex(4);
        if (!v) return false;
        AppendUtf8(*bytes, *v);
        return true;
      }
      default:
        if ((e >= 'a' && e <= 'z') || (e >= 'A' && e <= 'Z') || (e >= '0' && e <= '9')) {
          return false;
        }
        bytes->push_back(static_cast<unsigned char>(e));
        return true;
    }
  }

  Ptr Bracket() {
    std::bitset<256> set;
    bool negate = false;
    if (More() && Peek() == '^') {
      negate = true;
      ++pos_;
    }
    bool first = true;
    while (More() && (Peek() != ']' || first)) {
      first = false;
      int lo = 0;
      if (Peek() == '\\') {
        ++pos_;
        std::bitset<256> shorthand;
        if (More() && ShorthandClass(Peek(), &shorthand)) {
          ++pos_;
          set |= shorthand;
          continue;
        }
        std::vector<unsigned char> bytes;
        if (!EscapedChar(&bytes) || bytes.size() != 1) return nullptr;
        lo = bytes[0];
      } else {
        lo = static_cast<unsigned char>(p_[pos_++]);
      }
      int hi = lo;
      if (pos_ + 1 < p_.size() && Peek() == '-' && p_[pos_ + 1] != ']') {
        ++pos_;
        if (Peek() == '\\') {
          ++pos_;
          std::vector<unsigned char> bytes;
          if (!EscapedChar(&bytes) || bytes.size() != 1) return nullptr;
          hi = bytes[0];
        } else {
          hi = static_cast<unsigned char>(p_[pos_++]);
        }
        if (hi < lo) return nullptr;
      }
      for (int c = lo; c <= hi; ++c) set[static_cast<std::size_t>(c)] = true;
    }
    if (!More()) return nullptr;
    ++pos_;  // ']'
    if (negate) set = ~set;
    return ClassNode(set);
  }

  Ptr Atom(int depth) {
    char c = p_[pos_++];
    switch (c) {
      case '(': {
        auto group = std::make_unique<RNode>();
        group->kind = RNode::kGroup;
        if (More() && Peek() == '?') {
          if (pos_ + 1 >= p_.size() || p_[pos_ + 1] != ':') return nullptr;  // lookaround
          pos_ += 2;
        } else {
          group->index = groups_++;
          if (groups_ > 10) return nullptr;
        }
        auto inner = Alternation(depth + 1);
        if (!inner || !More() || Peek() != ')') return nullptr;
        ++pos_;
        group->kids.push_back(std::move(inner));
        return group;
      }
      case '[':
        return Bracket();
      case '.': {
        auto node = std::make_unique<RNode>();
        node->kind = RNode::kAny;
        return node;
      }
      case '^':
      case '$': {
        auto node = std::make_unique<RNode>();
        node->kind = c == '^' ? RNode::kBol : RNode::kEol;
        return node;
      }
      case '*':
      case '+':
      case '?':
      case ')':
        return nullptr;
      case '\\': {
        if (!More()) return nullptr;
        char e = Peek();
        std::bitset<256> shorthand;
        if (ShorthandClass(e, &shorthand)) {
          ++pos_;
          return ClassNode(shorthand);
        }
        if (e == 'b' || e == 'B') {
          ++pos_;
          auto node = std::make_unique<RNode>();
          node->kind = e == 'b' ? RNode::kWordB : RNode::kNotWordB;
          return node;
        }
        std::vector<unsigned char> bytes;
        if (!EscapedChar(&bytes)) return nullptr;
        if (bytes.size() == 1) return Literal(bytes[0]);
        auto cat = std::make_unique<RNode>();
        cat->kind = RNode::kCat;
        for (unsigned char b : bytes) cat->kids.push_back(Literal(b));
        auto group = std::make_unique<RNode>();  // keeps a following quantifier on all bytes
        group->kind = RNode::kGroup;
        group->kids.push_back(std::move(cat));
        return group;
      }
      default:
        return Literal(static_cast<unsigned char>(c));
    }
  }

  bool Push(Regex::Inst inst) {
    if (regex_.program_.size() >= Regex::kMaxProgram) return false;
    regex_.program_.push_back(inst);
    return true;
  }
  int Here() const { return static_cast<int>(regex_.program_.size()); }

  bool Emit(const RNode& n) {
    using Op = Regex::Op;
    switch (n.kind) {
      case RNode::kEmpty:
        return true;
      case RNode::kChar:
        return Push({Op::kChar, n.c, 0, 0});
      case RNode::kAny:
        return Push({Op::kAny, 0, 0, 0});
      case RNode::kClass:
        return Push({Op::kClass, 0, n.index, 0});
      case RNode::kBol:
        return Push({Op::kBol, 0, 0, 0});
      case RNode::kEol:
        return Push({Op::kEol, 0, 0, 0});
      case RNode::kWordB:
        return Push({Op::kWordBoundary, 0, 0, 0});
      case RNode::kNotWordB:
        return Push({Op::kNotWordBoundary, 0, 0, 0});
      case RNode::kCat:
        for (const auto& kid : n.kids) {
          if (!Emit(*kid)) return false;
        }
        return true;
      case RNode::kGroup:
        if (n.index >= 0 && !Push({Op::kSave, 0, 2 * n.index, 0})) return false;
        if (!Emit(*n.kids[0])) return false;
        return n.index < 0 || Push({Op::kSave, 0, 2 * n.index + 1, 0});
      case RNode::kAlt: {
        std::vector<int> jumps;
        for (std::size_t i = 0; i < n.kids.size(); ++i) {
          int split = -1;
          if (i + 1 < n.kids.size()) {
            split = Here();
            if (!Push({Op::kSplit, 0, split + 1, 0})) return false;
          }
          if (!Emit(*n.kids[i])) return false;
          if (i + 1 < n.kids.size()) {
            jumps.push_back(Here());
            if (!Push({Op::kJmp, 0, 0, 0})) return false;
            regex_.program_[static_cast<std::size_t>(split)].y = Here();
          }
        }
        for (int j : jumps) regex_.program_[static_cast<std::size_t>(j)].x = Here();
        return true;
      }
      case RNode::kRepeat: {
        const RNode& kid = *n.kids[0];
        for (int i = 0; i < n.min; ++i) {
          if (!Emit(kid)) return false;
        }
        auto split = [&](int here, int body, int out) -> Regex::Inst {
          (void)here;
          return n.greedy ? Regex::Inst{Op::kSplit, 0, body, out}
                          : Regex::Inst{Op::kSplit, 0, out, body};
        };
        if (n.max < 0) {
          int loop = Here();
          if (!Push({Op::kSplit, 0, 0, 0})) return false;
          if (!Emit(kid)) return false;
          if (!Push({Op::kJmp, 0, loop, 0})) return false;
          regex_.program_[static_cast<std::size_t>(loop)] = split(loop, loop + 1, Here());
          return true;
        }
        std::vector<int> splits;
        for (int i = n.min; i < n.max; ++i) {
          splits.push_back(Here());
          if (!Push({Op::kSplit, 0, 0, 0})) return false;
          if (!Emit(kid)) return false;
        }
        for (int s : splits) regex_.program_[static_cast<std::size_t>(s)] = split(s, s + 1, Here());
        return true;
      }
    }
    return false;
  }

  std::string_view p_;
  std::size_t pos_ = 0;
  int groups_ = 1;
  Regex regex_;
};

std::optional<Regex> Regex::Compile(std::string_view pattern) {
  return RegexCompiler(pattern).Compile();
}

bool Regex::Run(std::string_view text, std::size_t from, bool anchored, bool to_end,
                std::vector<int>* captures) const {
  const std::size_t n = program_.size();
  const std::size_t ncap = 2 * static_cast<std::size_t>(groups_);
  const std::size_t len = text.size();
  struct List {
    std::vector<int> pcs;
    std::vector<int> caps;  // ncap slots per pc
  };
  List cur{{}, std::vector<int>(n * ncap)}, next{{}, std::vector<int>(n * ncap)};
  std::vector<std::uint32_t> mark(n, 0);
  std::uint32_t generation = 1;
  std::vector<int> best;
  bool matched = false;
  // Explicit stack for following Split/Jmp/Save/assertions: (pc, offset of its captures).
  std::vector<std::pair<int, std::size_t>> stack;
  std::vector<int> pool;

  auto add = [&](List& list, int start_pc, const int* start_caps, std::size_t pos) {
    pool.assign(start_caps, start_caps + ncap);
    stack.assign(1, {start_pc, 0});
    while (!stack.empty()) {
      auto [pc, off] = stack.back();
      stack.pop_back();
      auto upc = static_cast<std::size_t>(pc);
      if (mark[upc] == generation) continue;
      mark[upc] = generation;
      const Inst& inst = program_[upc];
      switch (inst.op) {
        case Op::kJmp:
          stack.push_back({inst.x, off});
          break;
        case Op::kSplit:
          stack.push_back({inst.y, off});
          stack.push_back({inst.x, off});
          break;
        case Op::kSave: {
          std::size_t copy = pool.size();
          pool.resize(copy + ncap);
          std::copy_n(pool.begin() + static_cast<std::ptrdiff_t>(off), ncap,
                      pool.begin() + static_cast<std::ptrdiff_t>(copy));
          pool[copy + static_cast<std::size_t>(inst.x)] = static_cast<int>(pos);
          stack.push_back({pc + 1, copy});
          break;
        }
        case Op::kBol:
          if (pos == 0) stack.push_back({pc + 1, off});
          break;
        case Op::kEol:
          if (pos == len) stack.push_back({pc + 1, off});
          break;
        case Op::kWordBoundary:
        case Op::kNotWordBoundary: {
          bool before = pos > 0 && IsWordChar(static_cast<unsigned char>(text[pos - 1]));
          bool after = pos < len && IsWordChar(static_cast<unsigned char>(text[pos]));
          if ((before != after) == (inst.op == Op::kWordBoundary)) stack.push_back({pc + 1, off});
          break;
        }
        default:
          list.pcs.push_back(pc);
          std::copy(pool.begin() + static_cast<std::ptrdiff_t>(off),
                    pool.begin() + static_cast<std::ptrdiff_t>(off + ncap),
                    list.caps.begin() + static_cast<std::ptrdiff_t>(upc * ncap));
          break;
      }
    }
  };

  const std::vector<int> empty_caps(ncap, -1);
  for (std::size_t pos = from;; ++pos) {
    // A new attempt starting here, at the lowest priority, until something has matched.
    if (!matched && (pos == from || !anchored)) add(cur, 0, empty_caps.data(), pos);
    if (cur.pcs.empty()) break;
    ++generation;
    for (int pc : cur.pcs) {
      auto upc = static_cast<std::size_t>(pc);
      const Inst& inst = program_[upc];
      const int* caps = cur.caps.data() + upc * ncap;
      bool step = false;
      switch (inst.op) {
        case Op::kMatch:
          if (to_end && pos != len) break;
          matched = true;
          best.assign(caps, caps + ncap);
          break;
        case Op::kChar:
          step = pos < len && static_cast<unsigned char>(text[pos]) == inst.c;
          break;
        case Op::kAny:
          step = pos < len;
          break;
        case Op::kClass:
          step = pos < len &&
                 classes_[static_cast<std::size_t>(inst.x)][static_cast<unsigned char>(text[pos])];
          break;
        default:
          break;
      }
      if (inst.op == Op::kMatch && matched && !(to_end && pos != len)) break;  // cut lower ones
      if (step) add(next, pc + 1, caps, pos + 1);
    }
    std::swap(cur, next);
    next.pcs.clear();
    if (pos >= len) break;
  }
  if (matched && captures != nullptr) *captures = std::move(best);
  return matched;
}

bool Regex::Search(std::string_view text) const { return Run(text, 0, false, false, nullptr); }

bool Regex::FullMatch(std::string_view text) const { return Run(text, 0, true, true, nullptr); }

std::string Regex::ReplaceAll(std::string_view text, std::string_view replacement) const {
  std::string out;
  std::size_t pos = 0;
  std::vector<int> caps;
  while (pos <= text.size() && Run(text, pos, false, false, &caps)) {
    auto start = static_cast<std::size_t>(caps[0]);
    auto end = static_cast<std::size_t>(caps[1]);
    out.append(text.substr(pos, start - pos));
    for (std::size_t i = 0; i < replacement.size(); ++i) {
      char c = replacement[i];
      if (c == '$' && i + 1 < replacement.size()) {
        char d = replacement[i + 1];
        if (d == '$') {
          out += '$';
          ++i;
          continue;
        }
        if (d == '&') {
          out.append(text.substr(start, end - start));
          ++i;
          continue;
        }
        if (d >= '0' && d <= '9' && d - '0' < groups_) {
          auto g = static_cast<std::size_t>(d - '0');
          if (caps[2 * g] >= 0 && caps[2 * g + 1] >= 0) {
            auto gs = static_cast<std::size_t>(caps[2 * g]);
            out.append(text.substr(gs, static_cast<std::size_t>(caps[2 * g + 1]) - gs));
          }
          ++i;
          continue;
        }
      }
      out += c;
    }
    if (end == start) {
      if (start < text.size()) out += text[start];
      pos = start + 1;
    } else {
      pos = end;
    }
  }
  if (pos < text.size()) out.append(text.substr(pos));
  return out;
}

}  // namespace chartroom::fhir::fhirpath
