/*
 * The elementary functions of act_math.h as ufuncs (elem_exp, elem_expm1, elem_log1p,
 * elem_tanh, elem_erf, elem_erfc), so that scripts/measure_elementary.py can measure them
 * against mpmath and the tests can check their edges. Their VJPs are the exact derivatives
 * times g (exp' = exp, expm1' = exp, log1p' = 1/(1 + x), tanh' = 1 - tanh^2, erf' = -erfc' =
 * 2/sqrt(pi) exp(-x^2)), for completeness only.
 */
#include "act_math.h"

ACT_INLINE double elem_exp_fwd(double x, const double *p)
{
    (void)p;
    return act_exp(x);
}
ACT_INLINE double elem_exp_vjp(double x, double g, const double *p)
{
    (void)p;
    return act_exp(x) * g;
}
ACT_KERNEL(elem_exp, 0)

ACT_INLINE double elem_expm1_fwd(double x, const double *p)
{
    (void)p;
    return act_expm1(x);
}
ACT_INLINE double elem_expm1_vjp(double x, double g, const double *p)
{
    (void)p;
    return act_exp(x) * g;
}
ACT_KERNEL(elem_expm1, 0)

ACT_INLINE double elem_log1p_fwd(double x, const double *p)
{
    (void)p;
    return act_log1p(x);
}
ACT_INLINE double elem_log1p_vjp(double x, double g, const double *p)
{
    (void)p;
    return g / (1.0 + x);
}
ACT_KERNEL(elem_log1p, 0)

ACT_INLINE double elem_tanh_fwd(double x, const double *p)
{
    (void)p;
    return act_tanh(x);
}
ACT_INLINE double elem_tanh_vjp(double x, double g, const double *p)
{
    (void)p;
    double t = act_tanh(x);
    return (1.0 - t * t) * g;
}
ACT_KERNEL(elem_tanh, 0)

ACT_INLINE double elem_erf_fwd(double x, const double *p)
{
    (void)p;
    return act_erf(x);
}
ACT_INLINE double elem_erf_vjp(double x, double g, const double *p)
{
    (void)p;
    return 1.1283791670955126 * act_exp(-x * x) * g;
}
ACT_KERNEL(elem_erf, 0)

ACT_INLINE double elem_erfc_fwd(double x, const double *p)
{
    (void)p;
    return act_erfc(x);
}
ACT_INLINE double elem_erfc_vjp(double x, double g, const double *p)
{
    (void)p;
    return -1.1283791670955126 * act_exp(-x * x) * g;
}
ACT_KERNEL(elem_erfc, 0)

ACT_FAMILY(act_elementary_kernels,
           &elem_exp_kernel, &elem_expm1_kernel, &elem_log1p_kernel, &elem_tanh_kernel,
           &elem_erf_kernel, &elem_erfc_kernel)
