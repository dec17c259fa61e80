// The FHIRPath tree-walking evaluator (see evaluator.cpp). One Evaluator runs one evaluation: it
// owns the arena for computed values and is used by one thread only; the tree it walks is shared
// and immutable.

#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "core/error.hpp"
#include "fhir/fhirpath/ast.hpp"
#include "fhir/fhirpath/fhirpath.hpp"

namespace chartroom::fhir::fhirpath {

using Items = SmallVector<Item, 8>;

// Bounds that keep hostile expressions from running away: the nesting of evaluation calls and
// the size of any one collection (the work budget is EvaluationInput::max_work).
inline constexpr int kMaxEvalDepth = 256;
inline constexpr std::size_t kMaxItems = 1'000'000;

struct Arena;

class Evaluator {
 public:
  Evaluator(const EvaluationInput& input, TypeId context_type);
  ~Evaluator();

  // Evaluates `root` against the input and moves the result (and the arena) into `out`.
  Status Run(const Node& root, Collection& out);

  // The scope of $this, $index and $total at a point in the tree.
  struct Scope {
    std::span<const Item> this_items;
    std::int64_t index = -1;  // -1: $index undefined
    std::span<const Item> total;
    bool has_total = false;
  };

 private:
  Status Eval(const Node& node, const Scope& scope, Items& out);
  Status EvalNode(const Node& node, const Scope& scope, Items& out);
  Status EvalMember(const Node& node, const Scope& scope, Items& out);
  Status EvalFunction(const Node& node, const Scope& scope, Items& out);
  Status EvalFunctionOn(const Node& node, const Scope& scope, std::span<const Item> input,
                        Items& out);
  Status EvalBinary(const Node& node, const Scope& scope, Items& out);
  Status EvalVariable(const Node& node, Items& out);

  Status Spend(std::size_t units);
  std::string_view Store(std::string text);
  const Quantity* Store(Quantity quantity);
  Arena& arena();

  // The zone assumed for date-times without one: the clock's.
  std::int16_t LocalOffset() const { return input_.now.tz_offset_minutes.value_or(0); }

  const EvaluationInput& input_;
  TypeId context_type_;
  Item context_;
  bool has_context_ = false;
  Item root_;
  bool has_root_ = false;
  std::shared_ptr<Arena> arena_;
  std::size_t work_ = 0;
  int depth_ = 0;
};

}  // namespace chartroom::fhir::fhirpath
