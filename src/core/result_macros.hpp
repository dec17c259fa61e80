// Early-return helpers for Result<T> and Status.
//
//   CHARTROOM_ASSIGN_OR_RETURN(auto patient, store.Read(key));
//   CHARTROOM_RETURN_IF_ERROR(ledger.Append(tx, disclosure));

#pragma once

#include "core/error.hpp"

#define CHARTROOM_CONCAT_INNER(a, b) a##b
#define CHARTROOM_CONCAT(a, b) CHARTROOM_CONCAT_INNER(a, b)

#define CHARTROOM_RETURN_IF_ERROR(expr)                                         \
  do {                                                                          \
    auto&& chartroom_status_ = (expr);                                          \
    if (!chartroom_status_) return ::tl::unexpected(chartroom_status_.error()); \
  } while (false)

#define CHARTROOM_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr)      \
  auto tmp = (expr);                                         \
  if (!tmp) return ::tl::unexpected(std::move(tmp).error()); \
  lhs = std::move(*tmp)

#define CHARTROOM_ASSIGN_OR_RETURN(lhs, expr) \
  CHARTROOM_ASSIGN_OR_RETURN_IMPL(CHARTROOM_CONCAT(chartroom_result_, __LINE__), lhs, expr)
