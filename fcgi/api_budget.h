/*
 * api_budget: the budget handlers' re-optimisation, shared with the budget
 * chart's scenarios. Internal to mldash-fcgi.
 */
#ifndef MLDASH_API_BUDGET_H
#define MLDASH_API_BUDGET_H

#include "api_data.h"
#include "results.h"

/* Applies the bounds, freeze, total and target_roi of p to the stored
 * plan ch (recommended spends and bounds change in place); a 400 when a
 * parameter names no channel or the request cannot be met. */
int api_reoptimise(struct result_budget *ch, int n, const struct params *p, struct response *resp);

#endif
