#pragma once

// Early-return helpers for absl::Status and absl::StatusOr<T>, which this Abseil
// release does not provide publicly.

#define LADDER_STATUS_CONCAT_INNER_(a, b) a##b
#define LADDER_STATUS_CONCAT_(a, b) LADDER_STATUS_CONCAT_INNER_(a, b)

// Returns the status from the enclosing function if `expr` is not OK.
#define LADDER_RETURN_IF_ERROR(expr)                 \
  do {                                               \
    const ::absl::Status ladder_status_ = (expr);    \
    if (!ladder_status_.ok()) return ladder_status_; \
  } while (false)

// Evaluates `rexpr` (an absl::StatusOr<T>); returns its status if not OK, else moves the
// value into `lhs`, which may be a declaration such as `auto x`.
#define LADDER_ASSIGN_OR_RETURN(lhs, rexpr) \
  LADDER_ASSIGN_OR_RETURN_IMPL_(LADDER_STATUS_CONCAT_(ladder_statusor_, __LINE__), lhs, rexpr)

#define LADDER_ASSIGN_OR_RETURN_IMPL_(statusor, lhs, rexpr) \
  auto statusor = (rexpr);                                  \
  if (!statusor.ok()) return std::move(statusor).status();  \
  lhs = std::move(statusor).value()
