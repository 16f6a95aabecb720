# Reference series and forecasts for bench/forecast_periods.py: monthly,
# quarterly and yearly series that ship with R (the datasets package and
# the forecast package's own), and at each origin of each, R's
# forecast::ets, thetaf and auto.arima.
#
#     Rscript bench/forecast_periods.R SERIES.txt FITS.txt
#
# SERIES.txt: "name period v1 v2 ..." a line. FITS.txt: "name origin
# method mean lo80 hi80 lo95 hi95" a line, each field after the method a
# comma-separated list over the horizon; method ets, theta or arima.
# Origins: 4, the last one `horizon` steps before the end (18 months, 8
# quarters, 6 years: the M3 competition's horizons), 3 months or 1
# quarter or year apart; only where at least 2 periods + 4 values come
# before. Fits run on FORECAST_R_CORES processes (default 2).
Sys.setenv(TZ = "UTC")
suppressMessages(library(forecast))
args <- commandArgs(trailingOnly = TRUE)
if (length(args) != 2) stop("usage: Rscript bench/forecast_periods.R SERIES.txt FITS.txt")
cores <- as.integer(Sys.getenv("FORECAST_R_CORES", "2"))

series <- list(
  AirPassengers = AirPassengers, nottem = nottem, co2 = co2, ldeaths = ldeaths,
  mdeaths = mdeaths, fdeaths = fdeaths, UKDriverDeaths = UKDriverDeaths,
  USAccDeaths = USAccDeaths, Seatbelts_front = Seatbelts[, "front"],
  Seatbelts_rear = Seatbelts[, "rear"], gas = gas, wineind = wineind,
  austres = austres, UKgas = UKgas, JohnsonJohnson = JohnsonJohnson, woolyrnq = woolyrnq,
  Nile = Nile, lynx = lynx, LakeHuron = LakeHuron, WWWusage = WWWusage, BJsales = BJsales,
  airmiles = airmiles, discoveries = discoveries, nhtemp = nhtemp,
  treering_tail = ts(tail(as.numeric(treering), 300)), sunspot_year = sunspot.year)

period_of <- function(x) if (frequency(x) %in% c(4, 12)) frequency(x) else 1
horizon_of <- function(p) if (p == 12) 18 else if (p == 4) 8 else 6
step_of <- function(p) if (p == 12) 3 else 1

lines <- vapply(names(series), function(n) {
  x <- as.numeric(series[[n]])
  paste(n, period_of(series[[n]]), paste(format(x, digits = 12, trim = TRUE), collapse = " "))
}, "")
writeLines(lines, args[1])

jobs <- list()
for (n in names(series)) {
  x <- as.numeric(series[[n]]); p <- period_of(series[[n]]); h <- horizon_of(p)
  for (k in 0:3) {
    o <- length(x) - h - k * step_of(p)
    if (o >= 2 * p + 4) jobs[[length(jobs) + 1]] <- list(name = n, p = p, h = h, o = o, y = x[1:o])
  }
}

fit_one <- function(j) {
  y <- ts(j$y, frequency = j$p)
  fits <- list(ets = function() forecast(ets(y), h = j$h, level = c(80, 95)),
               theta = function() thetaf(y, h = j$h, level = c(80, 95)),
               arima = function() forecast(auto.arima(y), h = j$h, level = c(80, 95)))
  out <- character(0)
  for (m in names(fits)) {
    fc <- tryCatch(suppressWarnings(fits[[m]]()), error = function(e) NULL)
    if (is.null(fc)) next
    cols <- list(fc$mean, fc$lower[, 1], fc$upper[, 1], fc$lower[, 2], fc$upper[, 2])
    out <- c(out, paste(j$name, j$o, m, paste(vapply(cols, function(v)
      paste(format(as.numeric(v), digits = 12, trim = TRUE), collapse = ","), ""), collapse = " ")))
  }
  out
}
writeLines(unlist(parallel::mclapply(jobs, fit_one, mc.cores = cores)), args[2])
