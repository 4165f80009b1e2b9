#pragma once

// MutationContext lives beside the idempotency helpers that consume it.
#include "common/db/idempotency.h"
