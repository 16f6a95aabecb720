# Reference forecasts for bench/forecast_accuracy.py: R's forecast::ets and
# Prophet, fitted to every job of a jobs file in one R process (starting R
# and loading Stan once, not once per fit).
#
#     Rscript bench/forecast_r.R JOBS.csv OUT.csv
#
# JOBS.csv: job,h,ds,y - one row per training day (ds an ISO date), h the
# days to forecast. OUT.csv: job,method,step,mean,lo80,hi80,lo95,hi95,note
# with method "ets" or "prophet"; note holds the form ets chose (on every
# row) or, on a single row with step 0, why the fit failed.
#
#   - ets: the default automatic model, ets(ts(train, frequency = 7)), and
#     forecast(fit, h, level = c(80, 95)); point = the forecast mean.
#   - prophet: default settings on the dated series; point = yhat; the 80%
#     and 95% bands are quantiles of one set of predictive samples (the
#     default 1,000), exactly how predict() makes its one interval.width,
#     so a single fit and a single sampling pass give both widths.
#
# Fits run on FORECAST_R_CORES processes (default 2, parallel::mclapply).
# Each job seeds R's generator with its own number, so the results do not
# depend on the order or the process a job ran in. Needs only the Debian
# packages r-cran-forecast and r-cran-prophet (deploy/install-deps.sh
# --bench-forecast).

# Unset, R asks timedatectl for the zone (noise, and it fails in
# containers); prophet works in UTC anyway.
Sys.setenv(TZ = "UTC")
# (Loading prophet also notes that codetools is missing: harmless.)
suppressMessages(suppressPackageStartupMessages({
  library(forecast)
  library(prophet)
}))

args <- commandArgs(trailingOnly = TRUE)
if (length(args) != 2) {
  stop("usage: Rscript bench/forecast_r.R JOBS.csv OUT.csv")
}
cores <- as.integer(Sys.getenv("FORECAST_R_CORES", "2"))

forecast_ets <- function(y, h) {
  fit <- ets(ts(y, frequency = 7))
  fc <- forecast(fit, h = h, level = c(80, 95))
  data.frame(mean = as.numeric(fc$mean),
             lo80 = as.numeric(fc$lower[, 1]), hi80 = as.numeric(fc$upper[, 1]),
             lo95 = as.numeric(fc$lower[, 2]), hi95 = as.numeric(fc$upper[, 2]),
             note = fit$method)
}

forecast_prophet <- function(ds, y, h) {
  m <- prophet(data.frame(ds = ds, y = y))
  future <- make_future_dataframe(m, periods = h, include_history = FALSE)
  # predict() would draw its own samples for one interval width: with
  # uncertainty.samples at 0 it returns yhat alone, and the bands come
  # from the one draw below.
  point <- m
  point$uncertainty.samples <- 0
  yhat <- predict(point, future)$yhat
  sims <- predictive_samples(m, future)$yhat
  q <- apply(sims, 1, stats::quantile, c(0.025, 0.1, 0.9, 0.975), na.rm = TRUE)
  data.frame(mean = yhat, lo80 = q[2, ], hi80 = q[3, ], lo95 = q[1, ], hi95 = q[4, ],
             note = "")
}

# One method on one job: its rows, or one row saying why it failed. Stan's
# and prophet's chatter (seasonality notes, optimiser output) is dropped.
run_method <- function(job, method, fun) {
  set.seed(job)
  rows <- tryCatch({
    out <- NULL
    utils::capture.output(out <- suppressWarnings(suppressMessages(fun())))
    out
  }, error = function(e) {
    data.frame(mean = NA, lo80 = NA, hi80 = NA, lo95 = NA, hi95 = NA,
               note = gsub("[\r\n]+", " ", conditionMessage(e)), step = 0L)
  })
  if (is.null(rows$step)) {
    rows$step <- seq_len(nrow(rows))
  }
  cbind(job = job, method = method, rows)
}

run_job <- function(d) {
  job <- d$job[1]
  h <- d$h[1]
  ds <- as.Date(d$ds)
  rbind(run_method(job, "ets", function() forecast_ets(d$y, h)),
        run_method(job, "prophet", function() forecast_prophet(ds, d$y, h)))
}

started <- Sys.time()
jobs <- utils::read.csv(args[1], colClasses = c("integer", "integer", "character", "numeric"))
by_job <- split(jobs, jobs$job)
message(sprintf("forecast_r: %d jobs (ets and prophet each) on %d cores", length(by_job), cores))
results <- parallel::mclapply(by_job, run_job, mc.cores = cores, mc.preschedule = TRUE)
# A worker that died (not an R error) leaves a try-error: say so per job.
for (i in seq_along(results)) {
  if (!is.data.frame(results[[i]])) {
    job <- by_job[[i]]$job[1]
    why <- gsub("[\r\n]+", " ", as.character(results[[i]]))
    results[[i]] <- do.call(rbind, lapply(c("ets", "prophet"), function(method) {
      data.frame(job = job, method = method, mean = NA, lo80 = NA, hi80 = NA, lo95 = NA,
                 hi95 = NA, note = why, step = 0L)
    }))
  }
}
out <- do.call(rbind, results)
out <- out[, c("job", "method", "step", "mean", "lo80", "hi80", "lo95", "hi95", "note")]
utils::write.csv(out, args[2], row.names = FALSE)
message(sprintf("forecast_r: done in %.0f s",
                as.numeric(difftime(Sys.time(), started, units = "secs"))))
