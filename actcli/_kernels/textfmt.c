/*
 * textfmt.c: shortest round-trip text for a block of float64, float32 or float16 values, joined
 * into one str (the extension actcli._kernels._text; actcli/io/text.py calls it).
 *
 * join(block, sep, row_open, row_close, row_sep, quote_nonfinite) takes a C-contiguous 2-D
 * buffer (format 'd', 'f' or 'e') and returns
 *     row_sep.join(row_open + sep.join(cells of the row) + row_close for each row)
 * where each cell is
 *   float64: Python's repr(): '1.0', '1e-05', '1e+16', 'nan', 'inf', '-0.0' (the shortest
 *            digits that read back, the closest of them; computed exactly with 128-bit
 *            integers for 1e-11 <= |v| < 2^53, else by PyOS_double_to_string 'r', the David
 *            Gay code of repr() itself);
 *   float32, float16: NumPy's str() of the scalar: the shortest digits that read back as the
 *            same float32/float16 (its Dragon4 "unique" mode: among the shortest decimals that
 *            round to the value, the closest, ties to an even digit), positional if the value
 *            is 0 or 1e-4 <= |v| < 10^digits (NumPy 2: 1e6 for float32, FLT_DIG; 1e3 for
 *            float16) ('1.0', '0.0001', '999999.94', '999.5'), else scientific with at least
 *            two exponent digits ('1e-05', '1e+06', '3.4028235e+38', '6.55e+04', '6e-08');
 * and NaN and the infinities are written "nan", "inf", "-inf" in double quotes when
 * quote_nonfinite is true (JSON numbers cannot hold them).
 *
 * Outside their fast paths (and for ties the float32 estimate cannot settle) the digits come
 * from PyOS_double_to_string, which allocates with PyMem_Malloc, so the GIL is held throughout
 * (a block is about 64K values, a few ms; the CLI formats on one thread).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <math.h>
#include <stdint.h>
#include <string.h>

/* Longest cell: "-1.7976931348623157e+308" (24) or a float32 positional such as
 * "-9999999000000000.0" (19), quoted: 26. */
#define CELL_MAX 32

typedef struct {
    char *p;
    Py_ssize_t len, cap;
} Buf;

static int
buf_reserve(Buf *b, Py_ssize_t extra)
{
    if (b->len + extra <= b->cap) {
        return 0;
    }
    Py_ssize_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + extra) {
        cap *= 2;
    }
    char *p = PyMem_Realloc(b->p, (size_t)cap);
    if (p == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    b->p = p;
    b->cap = cap;
    return 0;
}

static void
buf_put(Buf *b, const char *s, Py_ssize_t n)
{
    memcpy(b->p + b->len, s, (size_t)n);
    b->len += n;
}

/* ---------------------------------------------------------------------------------------- */
/* Decimal candidates: digits d[0..n) (d[0] != '0', no trailing zeros), value 0.d * 10^(x+1),
 * i.e. the first digit stands at 10^x. */

typedef struct {
    char d[20];
    int n, x;
} Dec;

/* Parse "d.ddd...e[+-]XX" (PyOS_double_to_string 'e' of a positive finite value). */
static void
dec_parse(const char *s, Dec *out)
{
    int n = 0;
    const char *p = s;
    for (; *p && *p != 'e'; ++p) {
        if (*p != '.' && n < (int)sizeof out->d) {
            out->d[n++] = *p;
        }
    }
    out->n = n;
    out->x = *p == 'e' ? atoi(p + 1) : 0;
}

static void
dec_trim(Dec *c)
{
    while (c->n > 1 && c->d[c->n - 1] == '0') {
        --c->n;
    }
}

/* c + one unit in its last of k digits (k >= c->n, the digits past c->n being zeros). */
static void
dec_increment(Dec *c, int k)
{
    for (int i = c->n; i < k; ++i) {
        c->d[i] = '0';
    }
    c->n = k;
    int i = k - 1;
    while (i >= 0 && c->d[i] == '9') {
        c->d[i--] = '0';
    }
    if (i < 0) { /* 9.99 -> 10.0 */
        c->d[0] = '1';
        c->n = 1;
        c->x += 1;
    }
    else {
        c->d[i] += 1;
    }
    dec_trim(c);
}

static const double POW10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                               1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                               1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

/* The double nearest the decimal (correctly rounded). */
static double
dec_value(const Dec *c)
{
    int64_t m = 0;
    for (int i = 0; i < c->n; ++i) {
        m = m * 10 + (c->d[i] - '0');
    }
    int q = c->x - (c->n - 1);
    /* Clinger's fast path: an exact integer below 2^53 times or over an exact power of ten is
     * one correctly rounded operation. */
    if (q >= 0 && q <= 22) {
        return (double)m * POW10[q];
    }
    if (q < 0 && q >= -22) {
        return (double)m / POW10[-q];
    }
    char text[48];
    PyOS_snprintf(text, sizeof text, "%llde%d", (long long)m, q);
    return PyOS_string_to_double(text, NULL, NULL);
}

/* The sign of (c - m) for the double m (positive, finite), exactly: m's 121 significant digits
 * are all of them for every double this file compares (a float32 or float16 rounding boundary,
 * at most 26 significant bits and 2^-150, so at most 115 digits). -2 on a Python error. */
static int
dec_compare(const Dec *c, double m)
{
    char *s = PyOS_double_to_string(m, 'e', 120, 0, NULL);
    if (s == NULL) {
        return -2;
    }
    const char *p = s;
    int mx = atoi(strchr(s, 'e') + 1);
    int result = 0;
    if (c->x != mx) {
        result = c->x > mx ? 1 : -1;
    }
    else {
        for (int i = 0; result == 0 && *p != 'e'; ++p) {
            if (*p == '.') {
                continue;
            }
            char a = i < c->n ? c->d[i] : '0';
            result = (a > *p) - (a < *p);
            ++i;
        }
    }
    PyMem_Free(s);
    return result;
}

/* ---------------------------------------------------------------------------------------- */
/* float32 and float16: NumPy's shortest digits and layout */

typedef struct {
    double lo, hi; /* the rounding boundaries of v: the midpoints to its neighbours */
    int even;      /* v's significand is even: a decimal on a boundary rounds to v */
} Interval;

/* 1 if the decimal c reads back as v (lies within v's rounding interval), 0 if not, -2 on a
 * Python error. */
static int
dec_inside(const Dec *c, const Interval *iv)
{
    double cv = dec_value(c);
    if (cv > iv->lo && cv < iv->hi) {
        return 1;
    }
    if (cv < iv->lo || cv > iv->hi) {
        return 0;
    }
    /* Within half a double ulp of a boundary (a double): compare exactly. */
    int cmp = dec_compare(c, cv);
    if (cmp == -2) {
        return -2;
    }
    if (cmp == 0) {
        return iv->even;
    }
    return cv == iv->lo ? cmp > 0 : cmp < 0;
}

static const int64_t IPOW10[] = {1, 10, 100, 1000, 10000, 100000, 1000000, 10000000,
                                 100000000, 1000000000};

/* c := the k-digit decimal D (1 <= D <= 10^k) whose last digit stands at 10^(x-k+1). */
static void
dec_from_int(int64_t D, int k, int x, Dec *c)
{
    if (D == IPOW10[k]) { /* rounded up to the next power of ten */
        D = 1;
        k = 1;
        x += 1;
    }
    for (int i = k - 1; i >= 0; --i) {
        c->d[i] = (char)('0' + D % 10);
        D /= 10;
    }
    c->n = k;
    c->x = x;
    dec_trim(c);
}

/* The k-digit decimal that reads back as v, if there is one: the closest to v (and, at a power
 * of two, the one above it: only there can the closest miss, on the narrow side below, while
 * the next one up, farther, still reads back). 1 if found, 0 if not, -1 on a Python error. */
static int
try_length(double v, int pow2, const Interval *iv, Dec *c, uint32_t W, double frac, int x,
           int k)
{
    uint32_t unit = (uint32_t)IPOW10[9 - k];
    double tail = ((double)(W % unit) + frac) / (double)unit;
    if (fabs(tail - 0.5) < 1e-6) {
        /* Too close to a tie for the double estimate: k digits of v from dtoa (exact, ties to
         * even). */
        char *s = PyOS_double_to_string(v, 'e', k - 1, 0, NULL);
        if (s == NULL) {
            return -1;
        }
        dec_parse(s, c);
        PyMem_Free(s);
        dec_trim(c);
    }
    else {
        dec_from_int(W / unit + (tail > 0.5), k, x, c);
    }
    int in = dec_inside(c, iv);
    if (in != 0 || !pow2 || dec_value(c) >= v) {
        return in == -2 ? -1 : in;
    }
    dec_increment(c, k);
    in = dec_inside(c, iv);
    return in == -2 ? -1 : in;
}

/* The least k whose candidate reads back: reading back is monotone in k (the closest
 * (k+1)-digit decimal is at least as close as any k-digit one), so bisect [1, 9]; 9 digits
 * always read back as a float32. 0, or -1 on a Python error. */
static int
try_lengths(double v, int pow2, const Interval *iv, Dec *out, uint32_t W, double frac, int x)
{
    int lo = 1, hi = 9;
    Dec c;
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        int in = try_length(v, pow2, iv, &c, W, frac, x, mid);
        if (in < 0) {
            return -1;
        }
        if (in) {
            hi = mid;
        }
        else {
            lo = mid + 1;
        }
    }
    int in = try_length(v, pow2, iv, out, W, frac, x, hi);
    return in < 0 ? -1 : 0;
}

/* 1e-13 <= v < 1e13: w = v * 10^(8-x) in [1e8, 1e9) is one correctly rounded operation on
 * exact operands, so its error (below 2^-53 * 1e9 = 1.2e-7 units of its last integer digit)
 * can change the rounding to k digits only when the digits past the k-th are within that of
 * a tie; those cases ask dtoa. Whether a candidate reads back is decided exactly. */
static int
short_digits_fast(double v, int pow2, const Interval *iv, Dec *out)
{
    int x2;
    frexp(v, &x2);
    int x = (int)floor((x2 - 1) * 0.30102999566398120); /* floor(log10 v) or one less */
    double w = 0.0;
    for (int tries = 0; tries < 4; ++tries) {
        int s = 8 - x;
        w = s >= 0 ? v * POW10[s] : v / POW10[-s];
        if (w >= 1e9) {
            ++x;
        }
        else if (w < 1e8) {
            --x;
        }
        else {
            break;
        }
    }
    double W = floor(w);
    return try_lengths(v, pow2, iv, out, (uint32_t)W, w - W, x);
}

/* The shortest digits of the positive finite v of a binary format with p significand bits
 * (hidden bit included) and least normal exponent emin, into out: 0, or -1 on a Python error. */
static int
short_digits(double v, int p, int emin, Dec *out)
{
    int x2;
    double f = frexp(v, &x2); /* v = f * 2^x2, 0.5 <= f < 1 */
    int e = x2 - 1;
    double ulp = ldexp(1.0, (e < emin ? emin : e) - (p - 1));
    int pow2 = f == 0.5 && e > emin; /* the neighbour below is half as far */
    Interval iv = {v - (pow2 ? ulp / 4 : ulp / 2), v + ulp / 2, ((uint32_t)(v / ulp) & 1) == 0};

    if (v >= 1e-13 && v < 1e13) {
        return short_digits_fast(v, pow2, &iv, out);
    }
    char *s = PyOS_double_to_string(v, 'e', 16, 0, NULL);
    if (s == NULL) {
        return -1;
    }
    Dec all; /* v to 17 significant digits */
    dec_parse(s, &all);
    PyMem_Free(s);

    for (int k = 1; k <= 17; ++k) {
        Dec c;
        /* v rounded to k digits, from the 17; a tail of exactly "5000..." may be a rounded
         * one, so that case asks dtoa for k digits of v itself (ties to even). */
        int tie = k < all.n && all.d[k] == '5';
        for (int i = k + 1; tie && i < all.n; ++i) {
            tie = all.d[i] == '0';
        }
        if (tie) {
            s = PyOS_double_to_string(v, 'e', k - 1, 0, NULL);
            if (s == NULL) {
                return -1;
            }
            dec_parse(s, &c);
            PyMem_Free(s);
        }
        else {
            c.x = all.x;
            c.n = k < all.n ? k : all.n;
            memcpy(c.d, all.d, (size_t)c.n);
            if (k < all.n && all.d[k] >= '5') {
                dec_increment(&c, c.n);
            }
        }
        dec_trim(&c);
        int in = dec_inside(&c, &iv);
        if (in == -2) {
            return -1;
        }
        if (in) {
            *out = c;
            return 0;
        }
        /* Only at a power of two can the closest k-digit decimal miss (on the narrow side
         * below) while the next one up, farther, still reads back. */
        if (pow2 && dec_value(&c) < v) {
            dec_increment(&c, k);
            in = dec_inside(&c, &iv);
            if (in == -2) {
                return -1;
            }
            if (in) {
                *out = c;
                return 0;
            }
        }
    }
    *out = all; /* not reached: 9 digits always read back as a float32 */
    dec_trim(out);
    return 0;
}

static int layout(const Dec *c, int positional, char *out);

static int
format_short(double v, int p, int emin, double upper, char *out)
{
    char *o = out;
    if (isnan(v)) {
        memcpy(o, "nan", 3);
        return 3;
    }
    if (signbit(v)) {
        *o++ = '-';
        v = -v;
    }
    if (isinf(v)) {
        memcpy(o, "inf", 3);
        return (int)(o - out) + 3;
    }
    if (v == 0.0) {
        memcpy(o, "0.0", 3);
        return (int)(o - out) + 3;
    }
    Dec c;
    if (short_digits(v, p, emin, &c) < 0) {
        return -1;
    }
    return (int)(o - out) + layout(&c, v >= 1e-4 && v < upper, o);
}

/* Writes c positional (at least one digit after the point) or scientific (no trailing zeros,
 * two exponent digits at least); returns the length. */
static int
layout(const Dec *cp, int positional, char *out)
{
    char *o = out;
    Dec c = *cp;
    if (positional) {
        if (c.x >= 0) {
            for (int i = 0; i <= c.x; ++i) {
                *o++ = i < c.n ? c.d[i] : '0';
            }
            *o++ = '.';
            if (c.n > c.x + 1) {
                memcpy(o, c.d + c.x + 1, (size_t)(c.n - c.x - 1));
                o += c.n - c.x - 1;
            }
            else {
                *o++ = '0';
            }
        }
        else {
            *o++ = '0';
            *o++ = '.';
            for (int i = 0; i < -c.x - 1; ++i) {
                *o++ = '0';
            }
            memcpy(o, c.d, (size_t)c.n);
            o += c.n;
        }
    }
    else { /* scientific, no trailing zeros, two exponent digits at least */
        *o++ = c.d[0];
        if (c.n > 1) {
            *o++ = '.';
            memcpy(o, c.d + 1, (size_t)(c.n - 1));
            o += c.n - 1;
        }
        o += PyOS_snprintf(o, 8, "e%c%02d", c.x < 0 ? '-' : '+', abs(c.x));
    }
    return (int)(o - out);
}


/* ---------------------------------------------------------------------------------------- */
/* float64: repr()'s digits (the shortest that read back, the closest of them, ties to even)
 * computed exactly with 128-bit integers for 1e-11 <= v < 2^53, where
 *   v * 10^s = V / 2^t  with V = 4 M 5^s < 2^128 (M the 53-bit significand, s = 16 - x <= 27)
 * so every quantity below is an exact integer. Elsewhere (and without 128-bit integers),
 * PyOS_double_to_string 'r' (David Gay's dtoa, the code of repr() itself). */

#if defined(__SIZEOF_INT128__)
typedef unsigned __int128 u128;

/* The shortest digits of v (positive, normal), or 0 if v is outside the exact range. */
static int
repr_digits_exact(double v, Dec *out)
{
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    int ef = (int)(bits >> 52) & 0x7ff;
    uint64_t mf = bits & ((UINT64_C(1) << 52) - 1);
    if (ef == 0 || !(v >= 1e-11 && v < 9007199254740992.0)) {
        return 0;
    }
    uint64_t M = mf | (UINT64_C(1) << 52);
    int E = ef - 1075; /* v = M 2^E */
    int x2;
    frexp(v, &x2);
    int x = (int)floor((x2 - 1) * 0.30102999566398120); /* floor(log10 v) or one less */
    int s = 16 - x, t = 0; /* v 10^s = V / 2^t in [1e16, 1e17) */
    u128 V = 0, p5 = 0;
    for (int tries = 0; tries < 2; ++tries, --s) {
        t = 2 - E - s;
        if (s < 0 || s > 27 || t < 1 || t > 126) {
            return 0;
        }
        p5 = 1;
        for (int i = 0; i < s; ++i) {
            p5 *= 5;
        }
        V = (u128)(4 * M) * p5;
        if ((V >> t) < (u128)100000000000000000ULL) {
            break;
        }
    }
    if ((V >> t) >= (u128)100000000000000000ULL) {
        return 0; /* not reached: the estimate of x is right or one too small */
    }
    u128 mlow = (mf == 0 && ef > 1 ? 1 : 2) * p5; /* V - (the boundary below), over 2^t */
    u128 mhigh = 2 * p5;
    int even = (M & 1) == 0;
    /* Level j keeps 17 - j digits: the candidates are the multiples of 10^j 2^t around V. */
    int best_j = -1;
    u128 best_c = 0;
    u128 p10 = 1;
    u128 D = (u128)1 << t;
    for (int j = 0; j <= 16; ++j, p10 *= 10) {
        u128 unit = p10 * D;
        u128 c = V / unit, r = V % unit;
        int lo_ok = even ? r <= mlow : r < mlow;
        int hi_ok = even ? unit - r <= mhigh : unit - r < mhigh;
        if (!lo_ok && !hi_ok) {
            break; /* fewer digits cannot do either */
        }
        if (lo_ok && hi_ok) {
            u128 twice = 2 * r;
            best_c = twice < unit ? c : twice > unit ? c + 1 : c + (c & 1);
        }
        else {
            best_c = lo_ok ? c : c + 1;
        }
        best_j = j;
    }
    if (best_j < 0) {
        return 0; /* not reached: 17 digits always read back */
    }
    /* best_c * 10^best_j * 10^-s, best_c of 17 - best_j digits (or one more after a carry) */
    char tmp[24];
    int n = 0;
    while (best_c) {
        tmp[n++] = (char)('0' + (int)(best_c % 10));
        best_c /= 10;
    }
    for (int i = 0; i < n; ++i) {
        out->d[i] = tmp[n - 1 - i];
    }
    out->n = n;
    out->x = n - 1 + best_j - s;
    dec_trim(out);
    return 1;
}
#endif

static int
format_repr(double v, char *out)
{
#if defined(__SIZEOF_INT128__)
    if (v > 0 || v < 0) {
        Dec c;
        char *o = out;
        if (v < 0) {
            *o++ = '-';
        }
        if (repr_digits_exact(fabs(v), &c)) {
            /* repr() goes scientific when the digits' exponent is below -4 or above 15 */
            return (int)(o - out) + layout(&c, c.x >= -4 && c.x < 16, o);
        }
    }
#endif
    char *s = PyOS_double_to_string(v, 'r', 0, Py_DTSF_ADD_DOT_0, NULL);
    if (s == NULL) {
        return -1;
    }
    int n = (int)strlen(s);
    memcpy(out, s, (size_t)n);
    PyMem_Free(s);
    return n;
}

static double
half_to_double(uint16_t h)
{
    int exp = (h >> 10) & 0x1f;
    int mant = h & 0x3ff;
    double v;
    if (exp == 0) {
        v = ldexp((double)mant, -24);
    }
    else if (exp == 31) {
        v = mant ? (double)NAN : (double)INFINITY;
    }
    else {
        v = ldexp((double)(mant | 0x400), exp - 25);
    }
    return (h & 0x8000) ? -v : v;
}

/* ---------------------------------------------------------------------------------------- */

/* Appends one cell (kind 'd', 'f' or 'e'); -1 on a Python error. */
static int
put_cell(Buf *b, char kind, const char *item, int quote)
{
    char cell[CELL_MAX];
    int n;
    double v;
    if (kind == 'd') {
        memcpy(&v, item, sizeof v);
        n = format_repr(v, cell);
    }
    else if (kind == 'f') {
        float f;
        memcpy(&f, item, sizeof f);
        v = f;
        n = format_short(v, 24, -126, 1e6, cell);
    }
    else {
        uint16_t h;
        memcpy(&h, item, sizeof h);
        v = half_to_double(h);
        n = format_short(v, 11, -14, 1e3, cell);
    }
    if (n < 0) {
        return -1;
    }
    if (quote && !isfinite(v)) {
        b->p[b->len++] = '"';
        buf_put(b, cell, n);
        b->p[b->len++] = '"';
    }
    else {
        buf_put(b, cell, n);
    }
    return 0;
}

static PyObject *
textfmt_join(PyObject *Py_UNUSED(self), PyObject *args)
{
    PyObject *obj;
    const char *sep, *open, *close, *rsep;
    Py_ssize_t nsep, nopen, nclose, nrsep;
    int quote;
    if (!PyArg_ParseTuple(args, "Os#s#s#s#p:join", &obj, &sep, &nsep, &open, &nopen, &close,
                          &nclose, &rsep, &nrsep, &quote)) {
        return NULL;
    }
    Py_buffer view;
    if (PyObject_GetBuffer(obj, &view, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT) < 0) {
        return NULL;
    }
    const char *fmt = view.format ? view.format : "B";
    if (fmt[0] == '@' || fmt[0] == '=' || (fmt[0] == '<' && PY_LITTLE_ENDIAN)) {
        ++fmt;
    }
    char kind = fmt[0];
    int ok = fmt[1] == '\0' && ((kind == 'd' && view.itemsize == 8) ||
                                (kind == 'f' && view.itemsize == 4) ||
                                (kind == 'e' && view.itemsize == 2));
    if (!ok || view.ndim != 2) {
        PyErr_Format(PyExc_TypeError,
                     "join takes a 2-D C-contiguous float64, float32 or float16 block, not "
                     "format '%s' with %d dimensions",
                     view.format ? view.format : "B", view.ndim);
        PyBuffer_Release(&view);
        return NULL;
    }
    Py_ssize_t rows = view.shape[0], width = view.shape[1];
    Buf b = {NULL, 0, 0};
    PyObject *result = NULL;
    const char *item = view.buf;
    Py_ssize_t row_extra = nopen + nclose + nrsep;
    /* A first guess at the size (the buffer grows per row if the cells are longer). */
    if (buf_reserve(&b, rows * (row_extra + width * (nsep + (kind == 'd' ? 20 : 12))) + 1) < 0) {
        goto done;
    }
    for (Py_ssize_t r = 0; r < rows; ++r) {
        if (buf_reserve(&b, row_extra + width * (nsep + CELL_MAX)) < 0) {
            goto done;
        }
        if (r) {
            buf_put(&b, rsep, nrsep);
        }
        buf_put(&b, open, nopen);
        for (Py_ssize_t c = 0; c < width; ++c, item += view.itemsize) {
            if (c) {
                buf_put(&b, sep, nsep);
            }
            if (put_cell(&b, kind, item, quote) < 0) {
                goto done;
            }
        }
        buf_put(&b, close, nclose);
    }
    result = PyUnicode_DecodeUTF8(b.p ? b.p : "", b.len, "strict");
done:
    PyMem_Free(b.p);
    PyBuffer_Release(&view);
    return result;
}

static PyMethodDef textfmt_methods[] = {
    {"join", textfmt_join, METH_VARARGS,
     "join(block, sep, row_open, row_close, row_sep, quote_nonfinite) -> str\n\n"
     "The shortest round-trip text of a 2-D C-contiguous float64/float32/float16 block:\n"
     "row_sep.join(row_open + sep.join(cells) + row_close for each row); float64 cells as\n"
     "repr(), float32/float16 cells as NumPy's str() of the scalar; NaN and the infinities\n"
     "in double quotes if quote_nonfinite."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef textfmt_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "actcli._kernels._text",
    .m_doc = "Shortest round-trip text for blocks of floats (see textfmt.c).",
    .m_size = -1,
    .m_methods = textfmt_methods,
};

PyMODINIT_FUNC
PyInit__text(void)
{
    return PyModule_Create(&textfmt_module);
}
