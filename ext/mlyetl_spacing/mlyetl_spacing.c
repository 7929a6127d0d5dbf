/*
 * mlyetl_spacing: the spacing walk of `mlyetl filter` as C window functions.
 *
 * Each function is evaluated once per row of a window partition (one sequence + class),
 * in (captured_at, id) order. The PL/pgSQL version (three window passes and a PL/pgSQL
 * call per row) costs ~10 us a row; here a row costs a few comparisons and one haversine.
 *
 * De-duplication: a row is a duplicate when an earlier row of the same walk has the same
 * capture time and the same position (exact double equality); its original is the first
 * such row, which in (captured_at, id) order is the lowest id. Only the rows of the current
 * capture time are remembered (a buffer reused across partitions), so memory stays small.
 *
 * The haversine is written in the operation order of mlyetl_haversine_m (SQL) and of
 * etl/filters/reference.py, and built with -ffp-contract=off, so the three give the same
 * doubles and make the same >= decisions when a running sum lands on the threshold.
 */
#include "postgres.h"

#include <math.h>

#include "fmgr.h"
#include "utils/timestamp.h"
#include "windowapi.h"

PG_MODULE_MAGIC;

#define DEG 0.017453292519943295        /* pi / 180 as written in the SQL and Python */
#define EARTH_DIAMETER_M 12742000.0     /* 2 * R, R = 6371 km */

typedef enum WalkMode { WALK_FIRST_ID, WALK_PATH, WALK_STRAIGHT } WalkMode;

/* One original of the current capture time. */
typedef struct RunEntry
{
    int64       id;
    double      lat;
    double      lon;
} RunEntry;

/* The originals seen at the current capture time; lives in fn_extra across partitions. */
typedef struct RunBuffer
{
    int         n;
    int         size;
    RunEntry   *entries;
} RunBuffer;

/* Per-partition state (zeroed by WinGetPartitionLocalMemory at each new partition). */
typedef struct WalkState
{
    bool        started;        /* a row of this partition was seen */
    TimestampTz run_time;       /* capture time of the buffered originals */
    double      last_lat;       /* path: previous original; straight: last kept point */
    double      last_lon;
    double      sum;            /* path: metres walked since the last kept point */
} WalkState;

static double
haversine_m(double lat1, double lon1, double lat2, double lon2)
{
    double      s_lat = sin((lat2 - lat1) * DEG / 2.0);
    double      s_lon = sin((lon2 - lon1) * DEG / 2.0);
    double      a = s_lat * s_lat + cos(lat1 * DEG) * cos(lat2 * DEG) * s_lon * s_lon;

    if (a > 1.0)                /* least(1.0, a) */
        a = 1.0;
    return EARTH_DIAMETER_M * asin(sqrt(a));
}

static RunBuffer *
run_buffer(FunctionCallInfo fcinfo)
{
    RunBuffer  *buf = (RunBuffer *) fcinfo->flinfo->fn_extra;

    if (buf == NULL)
    {
        buf = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(RunBuffer));
        buf->size = 16;
        buf->entries = MemoryContextAlloc(fcinfo->flinfo->fn_mcxt, buf->size * sizeof(RunEntry));
        fcinfo->flinfo->fn_extra = buf;
    }
    return buf;
}

static Datum
arg(WindowObject winobj, int argno)
{
    bool        isnull;
    Datum       value = WinGetFuncArgCurrent(winobj, argno, &isnull);

    if (isnull)
        ereport(ERROR,
                (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
                 errmsg("mlyetl spacing walk: argument %d is NULL", argno + 1)));
    return value;
}

/* The original's id of the current row (its own id when it is an original). */
static int64
first_id(WalkState *state, RunBuffer *buf, TimestampTz t, int64 id, double lat, double lon)
{
    if (!state->started || t != state->run_time)
    {
        buf->n = 0;
        state->run_time = t;
    }
    for (int i = 0; i < buf->n; i++)
        if (buf->entries[i].lat == lat && buf->entries[i].lon == lon)
            return buf->entries[i].id;
    if (buf->n == buf->size)
    {
        buf->size *= 2;
        buf->entries = repalloc(buf->entries, buf->size * sizeof(RunEntry));
    }
    buf->entries[buf->n].id = id;
    buf->entries[buf->n].lat = lat;
    buf->entries[buf->n].lon = lon;
    buf->n++;
    return id;
}

/* Is the original at (lat, lon) kept? Advances the walk state. */
static bool
walk_kept(WalkState *state, WalkMode mode, double lat, double lon, double threshold)
{
    bool        kept;

    if (!state->started)
        kept = true;
    else if (mode == WALK_PATH)
    {
        state->sum = state->sum + haversine_m(state->last_lat, state->last_lon, lat, lon);
        kept = state->sum >= threshold;
    }
    else
        kept = haversine_m(state->last_lat, state->last_lon, lat, lon) >= threshold;
    if (kept)
        state->sum = 0.0;
    if (kept || mode == WALK_PATH)
    {
        state->last_lat = lat;
        state->last_lon = lon;
    }
    return kept;
}

static Datum
walk(FunctionCallInfo fcinfo, WalkMode mode)
{
    WindowObject winobj = PG_WINDOW_OBJECT();
    WalkState  *state = WinGetPartitionLocalMemory(winobj, sizeof(WalkState));
    RunBuffer  *buf = run_buffer(fcinfo);
    TimestampTz t = DatumGetTimestampTz(arg(winobj, 0));
    int64       id = DatumGetInt64(arg(winobj, 1));
    double      lat = DatumGetFloat8(arg(winobj, 2));
    double      lon = DatumGetFloat8(arg(winobj, 3));
    int64       original;
    bool        kept = false;

    /* no earlier row is ever read again: let the window's tuplestore forget them */
    WinSetMarkPosition(winobj, WinGetCurrentPosition(winobj));
    original = first_id(state, buf, t, id, lat, lon);
    if (original == id && mode != WALK_FIRST_ID)
        kept = walk_kept(state, mode, lat, lon, DatumGetFloat8(arg(winobj, 4)));
    state->started = true;
    if (mode == WALK_FIRST_ID)
        PG_RETURN_INT64(original);
    PG_RETURN_BOOL(kept);
}

PG_FUNCTION_INFO_V1(mlyetl_walk_first_id);
Datum
mlyetl_walk_first_id(PG_FUNCTION_ARGS)
{
    return walk(fcinfo, WALK_FIRST_ID);
}

PG_FUNCTION_INFO_V1(mlyetl_walk_path_kept);
Datum
mlyetl_walk_path_kept(PG_FUNCTION_ARGS)
{
    return walk(fcinfo, WALK_PATH);
}

PG_FUNCTION_INFO_V1(mlyetl_walk_straight_kept);
Datum
mlyetl_walk_straight_kept(PG_FUNCTION_ARGS)
{
    return walk(fcinfo, WALK_STRAIGHT);
}

PG_FUNCTION_INFO_V1(mlyetl_haversine_m_c);
Datum
mlyetl_haversine_m_c(PG_FUNCTION_ARGS)
{
    PG_RETURN_FLOAT8(haversine_m(PG_GETARG_FLOAT8(0), PG_GETARG_FLOAT8(1),
                                 PG_GETARG_FLOAT8(2), PG_GETARG_FLOAT8(3)));
}
