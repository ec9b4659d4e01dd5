// The kernels of PromQL's functions that map each sample of one instant
// vector to one value (internal to promql/): math, date parts, rounding and
// clamping. functions.cc's table names them; the evaluator applies them
// (eval_functions.cc) and drops __name__, as Prometheus does.
#pragma once

#include <cstddef>

namespace promql::internal {

// f(v).
double Abs(double v);
double Ceil(double v);
double Floor(double v);
double Exp(double v);
double Sqrt(double v);
double Ln(double v);
double Log2(double v);
double Log10(double v);
double Sgn(double v);
double Deg(double v);
double Rad(double v);
double Acos(double v);
double Acosh(double v);
double Asin(double v);
double Asinh(double v);
double Atan(double v);
double Atanh(double v);
double Cos(double v);
double Cosh(double v);
double Sin(double v);
double Sinh(double v);
double Tan(double v);
double Tanh(double v);

// Date parts (UTC) of v seconds since the epoch, as Go's time package
// computes them (proleptic Gregorian calendar).
double Minute(double v);
double Hour(double v);
double DayOfWeek(double v);
double DayOfMonth(double v);
double DayOfYear(double v);
double DaysInMonth(double v);
double Month(double v);
double Year(double v);

// With the step's scalar arguments (ElementKernel).
bool Round(double v, const double* args, size_t nargs, double* out);  // round(v, to = 1)
bool Clamp(double v, const double* args, size_t nargs, double* out);  // clamp(v, min, max)
bool ClampMin(double v, const double* args, size_t nargs, double* out);
bool ClampMax(double v, const double* args, size_t nargs, double* out);

}  // namespace promql::internal
