-- Budget curves that may be S-shaped and carry their uncertainty (#15):
-- the bootstrap draws of each channel's curve, so that the API can give
-- intervals for any re-optimised split, and the curve's note (its shape,
-- and whether the data could tell an S-shape from a concave one).
ALTER TABLE ml_budget_recommendation
  ADD COLUMN curve_draws MEDIUMTEXT NULL
    COMMENT 'bootstrap draws: "h beta k alpha" or "p a b 0", separated by ;',
  ADD COLUMN curve_note VARCHAR(255) NULL,
  ADD COLUMN shape_undecided TINYINT NULL
    COMMENT '1: the S-shape was within a standard error of the concave curve kept';
