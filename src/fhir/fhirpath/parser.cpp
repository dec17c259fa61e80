// FHIRPath N1 lexer and precedence-climbing parser.
// Grammar and operator precedence: https://hl7.org/fhirpath/N1/grammar.html and
// https://hl7.org/fhirpath/N1/#operator-precedence.

#include "fhir/fhirpath/parser.hpp"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <string>
#include <utility>

namespace chartroom::fhir::fhirpath {

tl::unexpected<Error> SyntaxError(std::string message) {
  return Fail(ErrorCategory::kInvalid, "fhirpath.syntax", std::move(message));
}
tl::unexpected<Error> SemanticError(std::string message) {
  return Fail(ErrorCategory::kInvalid, "fhirpath.semantic", std::move(message));
}
tl::unexpected<Error> EvaluationError(std::string message) {
  return Fail(ErrorCategory::kInvalid, "fhirpath.evaluation", std::move(message));
}

namespace {

enum class Tok : std::uint8_t {
  kEnd,
  kIdentifier,  // plain identifier or keyword
  kDelimited,   // `identifier`
  kString,      // 'text' (unescaped in `text`)
  kNumber,
  kDate,      // @... literal body in `text` (without '@')
  kVariable,  // %name or %`name` or %'name' (name in `text`)
  kSpecial,   // $this $index $total (name in `text`)
  kPunct,     // operators and punctuation
};

struct Token {
  Tok kind = Tok::kEnd;
  std::string text;
  int position = 0;
};

bool IsIdentStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool IsIdentChar(char c) { return IsIdentStart(c) || (c >= '0' && c <= '9'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

void AppendUtf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

class Lexer {
 public:
  explicit Lexer(std::string_view text) : text_(text) {}

  Result<Token> Next() {
    if (auto skipped = SkipSpaceAndComments(); !skipped) return tl::unexpected(skipped.error());
    Token tok;
    tok.position = static_cast<int>(pos_);
    if (pos_ >= text_.size()) return tok;
    char c = text_[pos_];
    if (IsIdentStart(c)) {
      std::size_t start = pos_;
      while (pos_ < text_.size() && IsIdentChar(text_[pos_])) ++pos_;
      tok.kind = Tok::kIdentifier;
      tok.text = std::string(text_.substr(start, pos_ - start));
      return tok;
    }
    if (IsDigit(c)) {
      std::size_t start = pos_;
      while (pos_ < text_.size() && IsDigit(text_[pos_])) ++pos_;
      if (pos_ + 1 < text_.size() && text_[pos_] == '.' && IsDigit(text_[pos_ + 1])) {
        ++pos_;
        while (pos_ < text_.size() && IsDigit(text_[pos_])) ++pos_;
      }
      tok.kind = Tok::kNumber;
      tok.text = std::string(text_.substr(start, pos_ - start));
      return tok;
    }
    if (c == '\'' || c == '`') {
      auto body = Quoted(c);
      if (!body) return tl::unexpected(body.error());
      tok.kind = c == '\'' ? Tok::kString : Tok::kDelimited;
      tok.text = std::move(*body);
      return tok;
    }
    if (c == '@') {
      ++pos_;
      tok.kind = Tok::kDate;
      tok.text = DateBody();
      if (tok.text.empty()) return SyntaxError("malformed date/time literal at " + Where());
      return tok;
    }
    if (c == '%') {
      ++pos_;
      tok.kind = Tok::kVariable;
      if (pos_ < text_.size() && (text_[pos_] == '`' || text_[pos_] == '\'')) {
        auto body = Quoted(text_[pos_]);
        if (!body) return tl::unexpected(body.error());
        tok.text = std::move(*body);
        return tok;
      }
      std::size_t start = pos_;
      while (pos_ < text_.size() && (IsIdentChar(text_[pos_]) || text_[pos_] == '-')) ++pos_;
      if (start == pos_) return SyntaxError("expected a variable name after '%'");
      tok.text = std::string(text_.substr(start, pos_ - start));
      return tok;
    }
    if (c == '$') {
      ++pos_;
      std::size_t start = pos_;
      while (pos_ < text_.size() && IsIdentChar(text_[pos_])) ++pos_;
      tok.kind = Tok::kSpecial;
      tok.text = std::string(text_.substr(start, pos_ - start));
      if (tok.text != "this" && tok.text != "index" && tok.text != "total") {
        return SyntaxError("unknown special variable $" + tok.text);
      }
      return tok;
    }
    static constexpr std::string_view kTwo[] = {"<=", ">=", "!=", "!~"};
    for (std::string_view op : kTwo) {
      if (text_.substr(pos_, 2) == op) {
        pos_ += 2;
        tok.kind = Tok::kPunct;
        tok.text = std::string(op);
        return tok;
      }
    }
    static constexpr std::string_view kOne = ".[](),+-*/&|<>=~{}";
    if (kOne.find(c) != std::string_view::npos) {
      ++pos_;
      tok.kind = Tok::kPunct;
      tok.text = std::string(1, c);
      return tok;
    }
    return SyntaxError("unexpected character at " + Where());
  }

 private:
  std::string Where() const { return "offset " + std::to_string(pos_); }

  Status SkipSpaceAndComments() {
    while (pos_ < text_.size()) {
      char c = text_[pos_];
      if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f') {
        ++pos_;
      } else if (text_.substr(pos_, 2) == "//") {
        while (pos_ < text_.size() && text_[pos_] != '\n') ++pos_;
      } else if (text_.substr(pos_, 2) == "/*") {
        std::size_t end = text_.find("*/", pos_ + 2);
        if (end == std::string_view::npos) return SyntaxError("unterminated comment");
        pos_ = end + 2;
      } else {
        break;
      }
    }
    return Ok();
  }

  // A quoted string or delimited identifier with FHIRPath escapes.
  Result<std::string> Quoted(char quote) {
    ++pos_;
    std::string out;
    while (true) {
      if (pos_ >= text_.size()) return SyntaxError("unterminated quoted text");
      char c = text_[pos_++];
      if (c == quote) return out;
      if (c != '\\') {
        out += c;
        continue;
      }
      if (pos_ >= text_.size()) return SyntaxError("unterminated escape");
      char e = text_[pos_++];
      switch (e) {
        case '\'':
        case '"':
        case '`':
        case '\\':
        case '/':
          out += e;
          break;
        case 'f':
          out += '\f';
          break;
        case 'n':
          out += '\n';
          break;
        case 'r':
          out += '\r';
          break;
        case 't':
          out += '\t';
          break;
        case 'u': {
          if (pos_ + 4 > text_.size()) return SyntaxError("malformed \\u escape");
          std::uint32_t cp = 0;
          auto [ptr, ec] = std::from_chars(text_.data() + pos_, text_.data() + pos_ + 4, cp, 16);
          if (ec != std::errc() || ptr != text_.data() + pos_ + 4) {
            return SyntaxError("malformed \\u escape");
          }
          pos_ += 4;
          AppendUtf8(out, cp);
          break;
        }
        default:
          return SyntaxError(std::string("unknown escape \\") + e);
      }
    }
  }

  std::size_t Digits(std::size_t max) {
    std::size_t n = 0;
    while (n < max && pos_ < text_.size() && IsDigit(text_[pos_])) {
      ++pos_;
      ++n;
    }
    return n;
  }
  bool Accept(char c) {
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  // HH(:MM(:SS(.fff)?)?)?
  void TimePart() {
    if (Digits(2) != 2) return;
    std::size_t save = pos_;
    if (Accept(':') && Digits(2) == 2) {
      save = pos_;
      if (Accept(':') && Digits(2) == 2) {
        save = pos_;
        if (Accept('.') && Digits(9) > 0) save = pos_;
      }
    }
    pos_ = save;
  }
  void Zone() {
    if (Accept('Z')) return;
    std::size_t save = pos_;
    if ((Accept('+') || Accept('-')) && Digits(2) == 2 && Accept(':') && Digits(2) == 2) return;
    pos_ = save;
  }
  // The body of @date, @dateTime or @Ttime (without '@'); empty when malformed.
  std::string DateBody() {
    std::size_t start = pos_;
    if (Accept('T')) {
      TimePart();
      if (pos_ == start + 1) return {};
      Zone();  // not allowed on a Time; reported when evaluated
      return std::string(text_.substr(start, pos_ - start));
    }
    if (Digits(4) != 4) return {};
    std::size_t save = pos_;
    if (Accept('-') && Digits(2) == 2) {
      save = pos_;
      if (Accept('-') && Digits(2) == 2) save = pos_;
    }
    pos_ = save;
    if (Accept('T')) {
      std::size_t before = pos_;
      TimePart();
      if (pos_ > before) Zone();
    }
    return std::string(text_.substr(start, pos_ - start));
  }

  std::string_view text_;
  std::size_t pos_ = 0;
};

bool IsCalendarWord(std::string_view w) {
  static constexpr std::string_view kWords[] = {
      "year", "years", "month",  "months",  "week",   "weeks",   "day",         "days",
      "hour", "hours", "minute", "minutes", "second", "seconds", "millisecond", "milliseconds"};
  for (std::string_view k : kWords) {
    if (k == w) return true;
  }
  return false;
}

// Sets node.height from its children; fails when the tree gets taller than kMaxDepth, so no
// later recursion over it (checker, evaluator) can run out of stack.
Status Finish(Node& node) {
  int height = 0;
  for (const auto& child : node.children) {
    if (child) height = std::max(height, child->height);
  }
  node.height = height + 1;
  if (node.height > kMaxDepth) return SyntaxError("expression nested too deeply");
  return Ok();
}

class Parser {
 public:
  explicit Parser(std::string_view text) : lexer_(text) {}

  Result<std::unique_ptr<Node>> ParseAll() {
    CHARTROOM_RETURN_IF_ERROR(Advance());
    if (tok_.kind == Tok::kEnd) return SyntaxError("empty expression");
    auto expr = Expression(0);
    if (!expr) return expr;
    if (tok_.kind != Tok::kEnd) {
      return SyntaxError("unexpected '" + tok_.text + "' at offset " +
                         std::to_string(tok_.position));
    }
    return expr;
  }

 private:
  Status Advance() {
    auto next = lexer_.Next();
    if (!next) return tl::unexpected(next.error());
    tok_ = std::move(*next);
    return Ok();
  }
  bool IsPunct(std::string_view p) const { return tok_.kind == Tok::kPunct && tok_.text == p; }
  bool IsKeyword(std::string_view k) const {
    return tok_.kind == Tok::kIdentifier && tok_.text == k;
  }
  Status Expect(std::string_view p) {
    if (!IsPunct(p)) {
      return SyntaxError("expected '" + std::string(p) + "' at offset " +
                         std::to_string(tok_.position));
    }
    return Advance();
  }

  // Binary operator precedence, higher binds tighter; 0 when the token is not one.
  int Precedence(Op* op) const {
    struct Entry {
      std::string_view text;
      bool keyword;
      Op op;
      int prec;
    };
    static constexpr Entry kOps[] = {
        {"*", false, Op::kMultiply, 10},  {"/", false, Op::kDivide, 10},
        {"div", true, Op::kDiv, 10},      {"mod", true, Op::kMod, 10},
        {"+", false, Op::kPlus, 9},       {"-", false, Op::kMinus, 9},
        {"&", false, Op::kConcat, 9},     {"is", true, Op::kNone, 8},
        {"as", true, Op::kNone, 8},       {"|", false, Op::kUnion, 7},
        {"<=", false, Op::kLessEqual, 6}, {"<", false, Op::kLess, 6},
        {">", false, Op::kGreater, 6},    {">=", false, Op::kGreaterEqual, 6},
        {"=", false, Op::kEqual, 5},      {"~", false, Op::kEquivalent, 5},
        {"!=", false, Op::kNotEqual, 5},  {"!~", false, Op::kNotEquivalent, 5},
        {"in", true, Op::kIn, 4},         {"contains", true, Op::kContains, 4},
        {"and", true, Op::kAnd, 3},       {"or", true, Op::kOr, 2},
        {"xor", true, Op::kXor, 2},       {"implies", true, Op::kImplies, 1},
    };
    for (const Entry& e : kOps) {
      if ((e.keyword ? tok_.kind == Tok::kIdentifier : tok_.kind == Tok::kPunct) &&
          tok_.text == e.text) {
        *op = e.op;
        return e.prec;
      }
    }
    return 0;
  }

  Result<std::unique_ptr<Node>> Expression(int min_prec) {
    if (++depth_ > kMaxDepth) return SyntaxError("expression nested too deeply");
    auto lhs = Unary();
    if (!lhs) return lhs;
    while (true) {
      Op op = Op::kNone;
      int prec = Precedence(&op);
      if (prec == 0 || prec <= min_prec) break;
      int position = tok_.position;
      if (prec == 8) {  // is / as: a type specifier follows
        bool is = tok_.text == "is";
        CHARTROOM_RETURN_IF_ERROR(Advance());
        auto node = std::make_unique<Node>();
        node->kind = is ? NodeKind::kIs : NodeKind::kAs;
        node->position = position;
        auto spec = QualifiedIdentifier();
        if (!spec) return tl::unexpected(spec.error());
        node->type.name = std::move(*spec);
        node->children.push_back(std::move(*lhs));
        CHARTROOM_RETURN_IF_ERROR(Finish(*node));
        *lhs = std::move(node);
        continue;
      }
      CHARTROOM_RETURN_IF_ERROR(Advance());
      auto rhs = Expression(prec);
      if (!rhs) return rhs;
      auto node = std::make_unique<Node>();
      node->kind = NodeKind::kBinary;
      node->op = op;
      node->position = position;
      node->children.push_back(std::move(*lhs));
      node->children.push_back(std::move(*rhs));
      CHARTROOM_RETURN_IF_ERROR(Finish(*node));
      *lhs = std::move(node);
    }
    --depth_;
    return lhs;
  }

  Result<std::string> QualifiedIdentifier() {
    std::string name;
    while (true) {
      if (tok_.kind != Tok::kIdentifier && tok_.kind != Tok::kDelimited) {
        return SyntaxError("expected a type name at offset " + std::to_string(tok_.position));
      }
      name += tok_.text;
      CHARTROOM_RETURN_IF_ERROR(Advance());
      if (!IsPunct(".")) break;
      name += '.';
      CHARTROOM_RETURN_IF_ERROR(Advance());
    }
    return name;
  }

  Result<std::unique_ptr<Node>> Unary() {
    if (IsPunct("+") || IsPunct("-")) {
      if (++depth_ > kMaxDepth) return SyntaxError("expression nested too deeply");
      bool minus = tok_.text == "-";
      int position = tok_.position;
      CHARTROOM_RETURN_IF_ERROR(Advance());
      auto operand = Unary();
      if (!operand) return operand;
      --depth_;
      Node& inner = **operand;
      // Fold a sign into a bare number literal: -1 is the integer -1, not -(1).
      if (inner.kind == NodeKind::kLiteral && inner.children.empty() &&
          (inner.literal.kind == ItemKind::kInteger || inner.literal.kind == ItemKind::kDecimal ||
           inner.literal.kind == ItemKind::kQuantity) &&
          !inner.implicit_input) {
        if (minus) Negate(inner);
        return operand;
      }
      auto node = std::make_unique<Node>();
      node->kind = NodeKind::kUnary;
      node->op = minus ? Op::kMinus : Op::kPlus;
      node->position = position;
      node->children.push_back(std::move(*operand));
      CHARTROOM_RETURN_IF_ERROR(Finish(*node));
      return node;
    }
    return Postfix();
  }

  static void Negate(Node& literal) {
    switch (literal.literal.kind) {
      case ItemKind::kInteger:
        literal.literal.u.integer = -literal.literal.u.integer;
        break;
      case ItemKind::kDecimal:
        literal.literal.u.decimal = literal.literal.u.decimal.Negate();
        break;
      case ItemKind::kQuantity:
        literal.quantity->value = literal.quantity->value.Negate();
        break;
      default:
        break;
    }
  }

  Result<std::unique_ptr<Node>> Postfix() {
    auto expr = Term();
    if (!expr) return expr;
    int chain = 0;
    while (true) {
      if (++chain > 4 * kMaxDepth) return SyntaxError("expression too long");
      if (IsPunct(".")) {
        CHARTROOM_RETURN_IF_ERROR(Advance());
        auto inv = Invocation(std::move(*expr), /*implicit=*/false);
        if (!inv) return inv;
        expr = std::move(inv);
      } else if (IsPunct("[")) {
        int position = tok_.position;
        CHARTROOM_RETURN_IF_ERROR(Advance());
        auto index = Expression(0);
        if (!index) return index;
        CHARTROOM_RETURN_IF_ERROR(Expect("]"));
        auto node = std::make_unique<Node>();
        node->kind = NodeKind::kIndexer;
        node->position = position;
        node->children.push_back(std::move(*expr));
        node->children.push_back(std::move(*index));
        CHARTROOM_RETURN_IF_ERROR(Finish(*node));
        expr = std::move(node);
      } else {
        break;
      }
    }
    return expr;
  }

  // identifier, function call or $special after '.', or as a term (implicit input $this).
  Result<std::unique_ptr<Node>> Invocation(std::unique_ptr<Node> input, bool implicit) {
    int position = tok_.position;
    if (tok_.kind == Tok::kSpecial) {
      if (!implicit) return SyntaxError("$" + tok_.text + " cannot follow '.'");
      auto node = std::make_unique<Node>();
      node->kind = tok_.text == "this"    ? NodeKind::kThis
                   : tok_.text == "index" ? NodeKind::kIndex
                                          : NodeKind::kTotal;
      node->position = position;
      CHARTROOM_RETURN_IF_ERROR(Advance());
      return node;
    }
    if (tok_.kind != Tok::kIdentifier && tok_.kind != Tok::kDelimited) {
      return SyntaxError("expected an identifier at offset " + std::to_string(position));
    }
    bool delimited = tok_.kind == Tok::kDelimited;
    std::string name = tok_.text;
    CHARTROOM_RETURN_IF_ERROR(Advance());
    auto node = std::make_unique<Node>();
    node->position = position;
    node->name = std::move(name);
    node->implicit_input = implicit;
    node->children.push_back(std::move(input));
    if (IsPunct("(") && !delimited) {
      node->kind = NodeKind::kFunction;
      CHARTROOM_RETURN_IF_ERROR(Advance());
      if (!IsPunct(")")) {
        while (true) {
          auto arg = Expression(0);
          if (!arg) return arg;
          node->children.push_back(std::move(*arg));
          if (IsPunct(",")) {
            CHARTROOM_RETURN_IF_ERROR(Advance());
            continue;
          }
          break;
        }
      }
      CHARTROOM_RETURN_IF_ERROR(Expect(")"));
    } else {
      node->kind = NodeKind::kMember;
    }
    CHARTROOM_RETURN_IF_ERROR(Finish(*node));
    return node;
  }

  Result<std::unique_ptr<Node>> Term() {
    if (++depth_ > kMaxDepth) return SyntaxError("expression nested too deeply");
    auto term = TermInner();
    --depth_;
    return term;
  }

  Result<std::unique_ptr<Node>> TermInner() {
    int position = tok_.position;
    auto node = std::make_unique<Node>();
    node->position = position;
    switch (tok_.kind) {
      case Tok::kEnd:
        return SyntaxError("unexpected end of expression");
      case Tok::kPunct:
        if (IsPunct("(")) {
          CHARTROOM_RETURN_IF_ERROR(Advance());
          auto inner = Expression(0);
          if (!inner) return inner;
          CHARTROOM_RETURN_IF_ERROR(Expect(")"));
          return inner;
        }
        if (IsPunct("{")) {
          CHARTROOM_RETURN_IF_ERROR(Advance());
          CHARTROOM_RETURN_IF_ERROR(Expect("}"));
          node->kind = NodeKind::kEmpty;
          return node;
        }
        return SyntaxError("unexpected '" + tok_.text + "' at offset " + std::to_string(position));
      case Tok::kString:
        node->kind = NodeKind::kLiteral;
        node->literal_text = tok_.text;
        node->literal = Item::String(node->literal_text);
        CHARTROOM_RETURN_IF_ERROR(Advance());
        return node;
      case Tok::kNumber:
        return NumberOrQuantity(std::move(node));
      case Tok::kDate:
        CHARTROOM_RETURN_IF_ERROR(DateLiteral(*node, tok_.text));
        CHARTROOM_RETURN_IF_ERROR(Advance());
        return node;
      case Tok::kVariable:
        node->kind = NodeKind::kVariable;
        node->name = tok_.text;
        CHARTROOM_RETURN_IF_ERROR(Advance());
        return node;
      case Tok::kIdentifier:
        if (tok_.text == "true" || tok_.text == "false") {
          node->kind = NodeKind::kLiteral;
          node->literal = Item::Boolean(tok_.text == "true");
          CHARTROOM_RETURN_IF_ERROR(Advance());
          return node;
        }
        return Invocation(nullptr, /*implicit=*/true);
      case Tok::kDelimited:
      case Tok::kSpecial:
        return Invocation(nullptr, /*implicit=*/true);
    }
    return SyntaxError("unexpected token");
  }

  Result<std::unique_ptr<Node>> NumberOrQuantity(std::unique_ptr<Node> node) {
    std::string text = tok_.text;
    CHARTROOM_RETURN_IF_ERROR(Advance());
    node->kind = NodeKind::kLiteral;
    bool is_decimal = text.find('.') != std::string::npos;
    std::optional<Decimal> decimal;
    if (!is_decimal) {
      std::int64_t value = 0;
      auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
      if (ec == std::errc() && ptr == text.data() + text.size()) {
        node->literal = Item::Integer(value);
      } else {
        is_decimal = true;  // too large for an integer
      }
    }
    if (is_decimal) {
      decimal = Decimal::Parse(text);
      if (!decimal) return SyntaxError("number literal out of range: " + text);
      node->literal = Item::FromDecimal(*decimal);
    }
    // A unit makes it a quantity: 4 'mg', 4 days.
    bool unit_string = tok_.kind == Tok::kString;
    bool unit_word = tok_.kind == Tok::kIdentifier && IsCalendarWord(tok_.text);
    if (!unit_string && !unit_word) return node;
    auto quantity = std::make_unique<Quantity>();
    quantity->value = decimal ? *decimal : Decimal::FromInt(node->literal.u.integer);
    quantity->unit = tok_.text;
    CHARTROOM_RETURN_IF_ERROR(Advance());
    node->quantity = std::move(quantity);
    node->literal = Item::FromQuantity(node->quantity.get());
    return node;
  }

  static Status DateLiteral(Node& node, std::string_view body) {
    node.kind = NodeKind::kLiteral;
    if (body.front() == 'T') {
      std::string_view time = body.substr(1);
      std::size_t zone = time.find_first_of("Z+-");
      if (zone != std::string_view::npos) {
        node.kind = NodeKind::kError;
        node.message = "a time literal cannot carry a time zone";
        return Ok();
      }
      auto parsed = Time::Parse(time, /*fhir_strict=*/false);
      if (!parsed) return SyntaxError("invalid time literal @" + std::string(body));
      node.literal = Item::FromTime(*parsed);
      return Ok();
    }
    if (body.find('T') == std::string_view::npos) {
      auto parsed = DateTime::ParseDate(body);
      if (!parsed) return SyntaxError("invalid date literal @" + std::string(body));
      node.literal = Item::FromDateTime(*parsed, /*is_date=*/true);
      return Ok();
    }
    auto parsed = DateTime::ParseDateTime(body, /*fhir_strict=*/false);
    if (!parsed) return SyntaxError("invalid dateTime literal @" + std::string(body));
    node.literal = Item::FromDateTime(*parsed, /*is_date=*/false);
    return Ok();
  }

  Lexer lexer_;
  Token tok_;
  int depth_ = 0;
};

}  // namespace

Result<std::unique_ptr<Node>> Parse(std::string_view text) { return Parser(text).ParseAll(); }

}  // namespace chartroom::fhir::fhirpath
