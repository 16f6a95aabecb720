-- The draws' mean of each channel's response curve, tabulated (#15): the
-- expected revenue over what the days leave uncertain, which the advice
-- maximises, so that the API re-optimises on the same curve as the sync.
-- NULL for a curve without enough draws, and in rows written before it:
-- the curve's own parameters then stand.
ALTER TABLE ml_budget_recommendation
  ADD COLUMN curve_mean MEDIUMTEXT NULL
    COMMENT '"reach m0 m1 ... mN": marginal revenue at spends reach (i / N)^2, rising to one peak and falling';
