#include "promql/elementwise.h"

#include <cmath>
#include <cstdint>
#include <limits>

namespace promql::internal {

double Abs(double v) { return std::fabs(v); }
double Ceil(double v) { return std::ceil(v); }
double Floor(double v) { return std::floor(v); }
double Exp(double v) { return std::exp(v); }
double Sqrt(double v) { return std::sqrt(v); }
double Ln(double v) { return std::log(v); }
double Log2(double v) { return std::log2(v); }
double Log10(double v) { return std::log10(v); }
double Sgn(double v) {
  if (v < 0) return -1;
  if (v > 0) return 1;
  return v;  // 0 or NaN
}
double Deg(double v) { return v * 180 / M_PI; }
double Rad(double v) { return v * M_PI / 180; }
double Acos(double v) { return std::acos(v); }
double Acosh(double v) { return std::acosh(v); }
double Asin(double v) { return std::asin(v); }
double Asinh(double v) { return std::asinh(v); }
double Atan(double v) { return std::atan(v); }
double Atanh(double v) { return std::atanh(v); }
double Cos(double v) { return std::cos(v); }
double Cosh(double v) { return std::cosh(v); }
double Sin(double v) { return std::sin(v); }
double Sinh(double v) { return std::sinh(v); }
double Tan(double v) { return std::tan(v); }
double Tanh(double v) { return std::tanh(v); }

namespace {

// Civil date from days since the epoch (proleptic Gregorian).
void CivilFromDays(int64_t z, int64_t* y, unsigned* m, unsigned* d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t yy = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = yy + (*m <= 2 ? 1 : 0);
}

bool IsLeap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

constexpr int kDaysIn[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

// v seconds since the epoch as days, second of the day and civil date. Go's
// conversion of NaN and out-of-range values gives the minimum int64.
struct Civil {
  int64_t days, second_of_day, year;
  unsigned month, day;
};
Civil ToCivil(double v) {
  int64_t secs;
  if (std::isnan(v) || v >= 9.2e18 || v <= -9.2e18) {
    secs = std::numeric_limits<int64_t>::min();
  } else {
    secs = static_cast<int64_t>(v);
  }
  Civil c{};
  c.days = secs / 86400;
  c.second_of_day = secs % 86400;
  if (c.second_of_day < 0) {
    c.second_of_day += 86400;
    c.days -= 1;
  }
  CivilFromDays(c.days, &c.year, &c.month, &c.day);
  return c;
}

}  // namespace

double Minute(double v) { return static_cast<double>((ToCivil(v).second_of_day / 60) % 60); }
double Hour(double v) { return static_cast<double>(ToCivil(v).second_of_day / 3600); }
double DayOfWeek(double v) {
  int64_t w = (ToCivil(v).days + 4) % 7;  // 1970-01-01 was a Thursday
  if (w < 0) w += 7;
  return static_cast<double>(w);
}
double DayOfMonth(double v) { return ToCivil(v).day; }
double Month(double v) { return ToCivil(v).month; }
double Year(double v) { return static_cast<double>(ToCivil(v).year); }
double DaysInMonth(double v) {
  const Civil c = ToCivil(v);
  return (c.month == 2 && IsLeap(c.year)) ? 29 : kDaysIn[c.month - 1];
}
double DayOfYear(double v) {
  const Civil c = ToCivil(v);
  int doy = static_cast<int>(c.day);
  for (unsigned k = 1; k < c.month; ++k) doy += kDaysIn[k - 1];
  if (c.month > 2 && IsLeap(c.year)) doy += 1;
  return doy;
}

bool Round(double v, const double* args, size_t nargs, double* out) {
  const double inv = 1.0 / (nargs > 0 ? args[0] : 1.0);
  *out = std::floor(v * inv + 0.5) / inv;
  return true;
}

bool Clamp(double v, const double* args, size_t, double* out) {
  const double mn = args[0], mx = args[1];
  if (mx < mn) return false;
  *out = std::fmax(mn, std::fmin(mx, v));
  if (std::isnan(v) || std::isnan(mn) || std::isnan(mx)) *out = NAN;
  return true;
}

bool ClampMin(double v, const double* args, size_t, double* out) {
  *out = (std::isnan(v) || std::isnan(args[0])) ? NAN : std::fmax(args[0], v);
  return true;
}

bool ClampMax(double v, const double* args, size_t, double* out) {
  *out = (std::isnan(v) || std::isnan(args[0])) ? NAN : std::fmin(args[0], v);
  return true;
}

}  // namespace promql::internal
