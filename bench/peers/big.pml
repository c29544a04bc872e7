/*
 * bench/big.fdr by hand in Promela, for the peer comparison in bench/run.ts (SPIN 6.x).
 *
 * Same granularity as fdrace's kernel: one d_step per atomic step of the v6.2 step programs in model/routines/
 * (close, dup2, fget, fput, filp_close, __fput, eventpoll_release_file, epoll_ctl, ep_insert, ep_remove, the
 * ADDFD replace), with the same merged steps (callNow/tailNow: a call whose first step is the rest of the
 * caller's step) and the same state: fd tables and file_lock, files (count, life, f_lock), ep->mtx, the epitem
 * slots (allocated lowest-first, with their f_ep positions and flags), epmutex, epoll_watches, the fault budget,
 * and per thread its position (routine stack and pc), registers, held references (a sorted multiset), pending
 * __fput work, the last return value and each op's result. Registers of finished routines are zero, as fdrace
 * clears popped frames, so two states are equal exactly when fdrace's are.
 *
 * Each thread is one process whose `pc` names its place in the (flattened) routine stack; every step is a guarded
 * d_step option of the process's do-loop, so the loop head is the only control location and a step is exactly one
 * transition. Lock acquisitions are the guards (a blocked step is not executable, as in fdrace). An injected
 * allocation failure is a second option at the same place, enabled while the budget lasts.
 *
 * Not modelled because this scenario never reaches them (each would stop fdrace's search with a violation, and it
 * passes): use-after-free and refcount violations, the epoll full check (no epoll watches an epoll here),
 * capacity. Invariants are checked with -DCHECK (asserts of reference conservation after every step).
 *
 * Build: spin -a big.pml && gcc -O2 -DSAFETY -DNOREDUCE -o pan pan.c && ./pan -m200 -w26
 */

#define NSLOTS 8
#define NITEMS 16
#define NT 5
#define TP 0            /* tables */
#define TQ 1
#define TS 2
#define FA 0            /* files: A B C NEW, then the epoll files */
#define FB 1
#define FC 2
#define FNEW 3
#define FEF 4
#define FFF 5
#define NFILES 6
#define EPE 0           /* epolls */
#define EPF 1

#define LIVE 0
#define DYING 1
#define RELEASING 2
#define FREED 3

#define IF_RBR 1
#define IF_FEP 2
#define IF_PWQ 8
#define EV13 13         /* IN | ERR | HUP */
#define NOTRET 127

#define EBADF 9
#define ENOMEM 12
#define EBUSY 16
#define EEXIST 17
#define ENOENT 2
#define PENDING 254     /* RV_PENDING */
#define NEG(e) (256 - (e))

byte tlock[3];
byte slot[3 * NSLOTS];
byte fref[NFILES];
byte flife[NFILES];
byte flock[NFILES];
byte emtx[2];
byte iep[NITEMS];       /* epoll + 1, 0 = free */
byte ifile[NITEMS];
byte ifd[NITEMS];
byte iev[NITEMS];
byte idata[NITEMS];
byte ipos[NITEMS];
byte iflags[NITEMS];
byte fepn[NFILES];      /* items on each file's f_ep (derived: watched(f) is fepn[f] != 0) */
byte gmtx;              /* epmutex owner */
byte faults;
byte watches;

/* per thread */
byte held[NT * 6];
byte pending[NT];
byte rv[NT];
byte opret[NT];
byte rets[NT * 2];
/* epitem pointers in frames (ep_insert, ep_remove, eventpoll_release_file's epi and next), per thread: kept
 * global because freeing an epitem marks every saved pointer to it dangling (bit 0x80), in any thread. */
byte insEpi[NT];
byte remEpi[NT];
byte relEpi[NT];
byte relNxt[NT];

hidden byte j, k, v, w, x, y;

inline holdRef(t, f) {
  /* insert f + 1 into the descending multiset held[t] */
  v = f + 1; k = 0;
  do
  :: k < 6 ->
     if
     :: held[t * 6 + k] < v -> w = held[t * 6 + k]; held[t * 6 + k] = v;
        if :: w == 0 -> k = 6 :: else -> v = w; k++ fi
     :: else -> k++
     fi
  :: else -> break
  od;
  v = 0; w = 0; k = 0
}

inline dropRef(t, f) {
  k = 0;
  do
  :: k < 6 && held[t * 6 + k] != f + 1 -> k++
  :: k < 6 && held[t * 6 + k] == f + 1 ->
     do
     :: k < 5 -> held[t * 6 + k] = held[t * 6 + k + 1]; k++
     :: else -> break
     od;
     held[t * 6 + 5] = 0; k = 6
  :: else -> break
  od;
  k = 0
}

inline fput(t, f) {
  dropRef(t, f);
  fref[f] = fref[f] - 1;
  if
  :: fref[f] == 0 -> flife[f] = DYING; pending[t] = pending[t] | (1 << f)
  :: else -> skip
  fi;
  rv[t] = 0
}

inline fepAt(f, p) {
  /* x = item + 1 at position p on f's f_ep list, 0 if none */
  x = 0; j = 0;
  do
  :: j < NITEMS -> if :: iep[j] != 0 && ifile[j] == f && (iflags[j] & IF_FEP) && ipos[j] == p -> x = j + 1 :: else -> skip fi; j++
  :: else -> break
  od;
  j = 0
}

inline epFind(ep, f, d) {
  x = 0; j = 0;
  do
  :: j < NITEMS -> if :: iep[j] == ep + 1 && ifile[j] == f && ifd[j] == d && (iflags[j] & IF_RBR) -> x = j + 1 :: else -> skip fi; j++
  :: else -> break
  od;
  j = 0
}

inline itemAlloc(ep, f, d, ev, data) {
  /* x = the new item + 1 (lowest free slot) */
  x = 0; j = 0;
  do
  :: j < NITEMS && iep[j] != 0 -> j++
  :: j < NITEMS && iep[j] == 0 -> iep[j] = ep + 1; ifile[j] = f; ifd[j] = d; iev[j] = ev; idata[j] = data; ipos[j] = 0; iflags[j] = 0; x = j + 1; break
  :: else -> break
  od;
  j = 0
}

inline fepLinkHead(i) {
  j = 0;
  do
  :: j < NITEMS -> if :: j != i && iep[j] != 0 && ifile[j] == ifile[i] && (iflags[j] & IF_FEP) -> ipos[j] = ipos[j] + 1 :: else -> skip fi; j++
  :: else -> break
  od;
  j = 0; ipos[i] = 0; iflags[i] = iflags[i] | IF_FEP; fepn[ifile[i]] = fepn[ifile[i]] + 1
}

inline fepUnlink(i) {
  j = 0;
  do
  :: j < NITEMS -> if :: j != i && iep[j] != 0 && ifile[j] == ifile[i] && (iflags[j] & IF_FEP) && ipos[j] > ipos[i] -> ipos[j] = ipos[j] - 1 :: else -> skip fi; j++
  :: else -> break
  od;
  j = 0; ipos[i] = 0; iflags[i] = iflags[i] & ~IF_FEP; fepn[ifile[i]] = fepn[ifile[i]] - 1
}

inline dangle(p) {
  /* every saved pointer p (item + 1) becomes dangling */
  j = 0;
  do
  :: j < NT ->
     if :: insEpi[j] == p -> insEpi[j] = p | 128 :: else -> skip fi;
     if :: remEpi[j] == p -> remEpi[j] = p | 128 :: else -> skip fi;
     if :: relEpi[j] == p -> relEpi[j] = p | 128 :: else -> skip fi;
     if :: relNxt[j] == p -> relNxt[j] = p | 128 :: else -> skip fi;
     j++
  :: else -> break
  od;
  j = 0
}

inline itemFree(i) {
  iep[i] = 0; ifile[i] = 0; ifd[i] = 0; iev[i] = 0; idata[i] = 0; ipos[i] = 0; iflags[i] = 0;
  dangle(i + 1)
}

#define ISFILE(s) ((s) != 0 && (s) != 255)
#define SLOT(tb, fd) slot[(tb) * NSLOTS + (fd)]

#ifdef CHECK
/* E2/E3: every live file's count equals its holders (fd slots + references held by threads). */
inline conserved() {
  y = 0;
  do
  :: y < NFILES ->
     w = 0; j = 0;
     do :: j < 3 * NSLOTS -> if :: slot[j] == y + 1 -> w++ :: else -> skip fi; j++ :: else -> break od;
     j = 0;
     do :: j < NT * 6 -> if :: held[j] == y + 1 -> w++ :: else -> skip fi; j++ :: else -> break od;
     assert(flife[y] == FREED || fref[y] == w);
     y++
  :: else -> break
  od;
  y = 0; w = 0; j = 0
}
#define CHK conserved()
#else
#define CHK skip
#endif

/* ---- positions (pc) of a thread: the flattened routine stack ------------------------------------------ */
#define USER 0
/* close(fd) */
#define CL_CLEAR 1
#define CL_UNLOCK 2
#define CL_FC 3         /* filp_close of the closed file */
#define CL_FP 4         /* its fput */
/* dup2 */
#define D2_DO 5
#define D2_UNLOCK 6
#define D2_FC 7
#define D2_FP 8
/* epoll_ctl: fget of epfd (3 steps), fget of fd, lock, ep_find, unlock, fdputs */
#define EC_G1_INC 10
#define EC_G1_CHK 11
#define EC_G1_FP 12     /* fput in the fget retry path */
#define EC_G1_READ 13
#define EC_AFTER_G1 14  /* back in epoll_ctl after fget(epfd) returned */
#define EC_G2_INC 15
#define EC_G2_CHK 16
#define EC_G2_FP 17
#define EC_G2_READ 18
#define EC_AFTER_G2 19
#define EC_FIND 20
#define EC_UNLOCK 21
#define EC_FDPUT 22
/* ep_insert */
#define IN_WATCH 30
#define IN_ALLOC 31
#define IN_HEAD 32
#define IN_LOCK 33
#define IN_LINK 34
#define IN_UNLOCK 35
#define IN_RBR 36
#define IN_POLL 37
/* ep_remove under epoll_ctl DEL (RD_), after a failed ep_item_poll (RI_), under eventpoll_release_file (RR_) */
#define RD_0 40
#define RI_0 50
#define RR_0 60
/* replace */
#define RP_LOCK 70
#define RP_DO 71
#define RP_UNLOCK 72
#define RP_FC 73
#define RP_FP 74
#define RP_END 75
/* task work: __fput and eventpoll_release_file */
#define TW_FREE 80
#define TW_REL_LOCK 81
#define TW_REL_WALK 82
#define TW_REL_MTX 83
#define TW_REL_UNMTX 84
#define TW_REL_UNLOCK 85

/* Back in user space: the op's result. */
#define RTU(t) rets[(t) * 2 + op - 1] = opret[t]; opret[t] = 0; pc = USER

/* ---- routines as step options (macros over the thread's locals) ----------------------------------------- */

/* Task work: the deferred __fput of the lowest pending file (entry merged with FputEventpollRelease). */
#define TASK_WORK(t) \
  :: d_step { pc == USER && pending[t] != 0 -> \
       twf = 0; do :: (pending[t] & (1 << twf)) == 0 -> twf++ :: else -> break od; \
       pending[t] = pending[t] & ~(1 << twf); flife[twf] = RELEASING; \
       if :: fepn[twf] != 0 -> pc = TW_REL_LOCK :: else -> pc = TW_FREE fi; CHK } \
  :: d_step { pc == TW_REL_LOCK && gmtx == 0 -> gmtx = t + 1; pc = TW_REL_WALK; CHK } \
  :: d_step { pc == TW_REL_WALK -> fepAt(twf, 0); \
       if :: x == 0 -> pc = TW_REL_UNLOCK \
          :: else -> relEpi[t] = x; y = ipos[x - 1] + 1; fepAt(twf, y); relNxt[t] = x; y = 0; pc = TW_REL_MTX fi; x = 0; CHK } \
  :: d_step { pc == TW_REL_MTX && emtx[iep[relEpi[t] - 1] - 1] == 0 -> \
       relr1 = iep[relEpi[t] - 1] - 1; emtx[relr1] = t + 1; remEpi[t] = relEpi[t]; remr0 = relr1; remr1 = 0; pc = RR_0; CHK } \
  REMOVE(t, RR_0, TW_REL_UNMTX, 1) \
  :: d_step { pc == TW_REL_UNMTX -> emtx[relr1] = 0; \
       if :: relNxt[t] == 0 -> pc = TW_REL_UNLOCK \
          :: else -> relEpi[t] = relNxt[t]; y = ipos[relNxt[t] - 1] + 1; fepAt(twf, y); relNxt[t] = x; x = 0; y = 0; pc = TW_REL_MTX fi; CHK } \
  :: d_step { pc == TW_REL_UNLOCK -> gmtx = 0; rv[t] = 0; relr1 = 0; relEpi[t] = 0; relNxt[t] = 0; pc = TW_FREE; CHK } \
  :: d_step { pc == TW_FREE -> flife[twf] = FREED; rv[t] = 0; twf = 0; pc = USER; CHK }

/* ep_remove (v6.2): six steps from base B, back to R with rv = remr1; G: which op of the thread this is. */
#define REMOVE(t, B, R, G) \
  :: d_step { G && pc == B -> iflags[remEpi[t] - 1] = iflags[remEpi[t] - 1] & ~IF_PWQ; pc = B + 1; CHK } \
  :: d_step { G && pc == B + 1 && flock[ifile[remEpi[t] - 1]] == 0 -> flock[ifile[remEpi[t] - 1]] = t + 1; pc = B + 2; CHK } \
  :: d_step { G && pc == B + 2 -> fepUnlink(remEpi[t] - 1); pc = B + 3; CHK } \
  :: d_step { G && pc == B + 3 -> flock[ifile[remEpi[t] - 1]] = 0; pc = B + 4; CHK } \
  :: d_step { G && pc == B + 4 -> iflags[remEpi[t] - 1] = iflags[remEpi[t] - 1] & ~IF_RBR; pc = B + 5; CHK } \
  :: d_step { G && pc == B + 5 -> y = remEpi[t] - 1; remEpi[t] = 0; itemFree(y); y = 0; watches = watches - 1; \
       rv[t] = remr1; remr0 = 0; remr1 = 0; pc = R; CHK }

/* filp_close then fput of file `f` (a register), back to R (R == USER: the op returns). */
#define CLOSE_FILE(t, FC, FP, R, G) \
  :: d_step { G && pc == FC -> rv[t] = 0; fpf = fcf; fcf = 0; pc = FP; CHK } \
  :: d_step { G && pc == FP -> fput(t, fpf); fpf = 0; \
       if :: R == USER -> RTU(t) :: else -> pc = R fi; CHK }

/* close(fd) as op number N (1-based) */
#define CLOSE(t, tb, fd, N) \
  :: d_step { pc == USER && pending[t] == 0 && op == N - 1 && tlock[tb] == 0 -> op = N; opret[t] = 0; tlock[tb] = t + 1; pc = CL_CLEAR; CHK } \
  :: d_step { op == N && pc == CL_CLEAR -> v = SLOT(tb, fd); \
       if :: ISFILE(v) -> SLOT(tb, fd) = 0; clr1 = v; holdRef(t, clr1 - 1) :: else -> clr1 = 0 fi; v = 0; pc = CL_UNLOCK; CHK } \
  :: d_step { op == N && pc == CL_UNLOCK -> tlock[tb] = 0; rv[t] = 0; \
       if :: clr1 == 0 -> opret[t] = NEG(EBADF); RTU(t) \
          :: else -> opret[t] = 0; fcf = clr1 - 1; clr1 = 0; pc = CL_FC fi; CHK } \
  CLOSE_FILE(t, CL_FC, CL_FP, USER, op == N)

/* dup2(old, new) as op number N */
#define DUP2(t, tb, old, new, N) \
  :: d_step { pc == USER && pending[t] == 0 && op == N - 1 && tlock[tb] == 0 -> op = N; opret[t] = 0; tlock[tb] = t + 1; pc = D2_DO; CHK } \
  :: d_step { op == N && pc == D2_DO -> v = SLOT(tb, old); w = SLOT(tb, new); \
       if :: !ISFILE(v) -> d3 = EBADF \
          :: ISFILE(v) && w == 255 -> d3 = EBUSY \
          :: else -> fref[v - 1] = fref[v - 1] + 1; SLOT(tb, new) = v; d2 = w; if :: w != 0 -> holdRef(t, d2 - 1) :: else -> skip fi \
       fi; v = 0; w = 0; pc = D2_UNLOCK; CHK } \
  :: d_step { op == N && pc == D2_UNLOCK -> tlock[tb] = 0; rv[t] = 0; \
       if :: d3 != 0 -> opret[t] = 256 - d3; d2 = 0; d3 = 0; RTU(t) \
          :: d3 == 0 && d2 == 0 -> opret[t] = new; RTU(t) \
          :: else -> opret[t] = new; fcf = d2 - 1; d2 = 0; pc = D2_FC fi; CHK } \
  CLOSE_FILE(t, D2_FC, D2_FP, USER, op == N)

/* fget(fd) with a reference (the table has several users): read, increment-if-not-zero, recheck; on a changed
 * slot fput and retry. READ is entered merged with the caller's step; on return the caller continues at AFTER. */
#define FGET_STEPS(t, tb, fd, READ, INC, CHK_, FP, AFTER, G) \
  :: d_step { G && pc == READ -> v = SLOT(tb, fd); \
       if :: ISFILE(v) -> fgr1 = v - 1; pc = INC :: else -> rv[t] = 0; fgr1 = 0; pc = AFTER fi; v = 0; CHK } \
  :: d_step { G && pc == INC -> if :: fref[fgr1] == 0 -> pc = READ \
                            :: else -> fref[fgr1] = fref[fgr1] + 1; holdRef(t, fgr1); pc = CHK_ fi; CHK } \
  :: d_step { G && pc == CHK_ -> if :: SLOT(tb, fd) != fgr1 + 1 -> fpf = fgr1; pc = FP \
                             :: else -> rv[t] = fgr1 + 1; fgr1 = 0; pc = AFTER fi; CHK } \
  :: d_step { G && pc == FP -> fput(t, fpf); fpf = 0; pc = READ; CHK }

/* The first step of fget (FgetRead) as part of another step: sets pc. */
#define FGET_READ_INLINE(t, tb, fd, INC, AFTER) \
  v = SLOT(tb, fd); if :: ISFILE(v) -> fgr1 = v - 1; pc = INC :: else -> rv[t] = 0; fgr1 = 0; pc = AFTER fi; v = 0

/* epoll_ctl(epfd, ADD | DEL, fd) as op number N, in a table with several users (fget takes references). The
 * epoll file at epfd is the eventpoll EP; ADD inserts (TF, fd) with events IN and data fd. */
#define EPOLL_CTL(t, tb, epfd, EP, ISADD, fd, N) \
  :: d_step { pc == USER && pending[t] == 0 && op == N - 1 -> op = N; opret[t] = 0; \
       FGET_READ_INLINE(t, tb, epfd, EC_G1_INC, EC_AFTER_G1); CHK } \
  FGET_STEPS(t, tb, epfd, EC_G1_READ, EC_G1_INC, EC_G1_CHK, EC_G1_FP, EC_AFTER_G1, op == N) \
  :: d_step { op == N && pc == EC_AFTER_G1 -> ecr0 = rv[t]; FGET_READ_INLINE(t, tb, fd, EC_G2_INC, EC_AFTER_G2); CHK } \
  FGET_STEPS(t, tb, fd, EC_G2_READ, EC_G2_INC, EC_G2_CHK, EC_G2_FP, EC_AFTER_G2, op == N) \
  :: d_step { op == N && pc == EC_AFTER_G2 && rv[t] == 0 -> /* EBADF: fdput(f) and return */ \
       opret[t] = NEG(EBADF); ecr0 = 0; fput(t, FEF + EP); RTU(t); CHK } \
  :: d_step { op == N && pc == EC_AFTER_G2 && rv[t] != 0 && emtx[EP] == 0 -> ecr5 = rv[t]; emtx[EP] = t + 1; pc = EC_FIND; CHK } \
  :: d_step { op == N && pc == EC_FIND -> epFind(EP, ecr5 - 1, fd); \
       if :: ISADD && x != 0 -> ecr7 = EEXIST; pc = EC_UNLOCK \
          :: ISADD && x == 0 -> ecr7 = PENDING; inr1 = ecr5 - 1; pc = IN_WATCH \
          :: !ISADD && x == 0 -> ecr7 = ENOENT; pc = EC_UNLOCK \
          :: !ISADD && x != 0 -> ecr7 = PENDING; remEpi[t] = x; remr0 = EP; remr1 = 0; pc = RD_0 \
       fi; x = 0; CHK } \
  INSERT(t, EP, fd, op == N) \
  REMOVE(t, RD_0, EC_UNLOCK, op == N) \
  REMOVE(t, RI_0, EC_UNLOCK, op == N) \
  :: d_step { op == N && pc == EC_UNLOCK -> if :: ecr7 == PENDING -> ecr7 = rv[t] :: else -> skip fi; emtx[EP] = 0; pc = EC_FDPUT; CHK } \
  :: d_step { op == N && pc == EC_FDPUT && ecr5 != 0 -> fpf = ecr5 - 1; ecr5 = 0; fput(t, fpf); fpf = 0; CHK } \
  :: d_step { op == N && pc == EC_FDPUT && ecr5 == 0 -> if :: ecr7 != 0 -> opret[t] = 256 - ecr7 :: else -> opret[t] = 0 fi; \
       ecr0 = 0; ecr7 = 0; fput(t, FEF + EP); RTU(t); CHK }

/* ep_insert(EP, tf = inr1, fd, IN|ERR|HUP, data fd); inr6: an epitems_head was preallocated. */
#define INSERT(t, EP, fd, G) \
  :: d_step { G && pc == IN_WATCH -> watches = watches + 1; pc = IN_ALLOC; CHK } \
  :: d_step { G && pc == IN_ALLOC && faults < 1 -> faults++; watches = watches - 1; rv[t] = ENOMEM; inr1 = 0; pc = EC_UNLOCK; CHK } \
  :: d_step { G && pc == IN_ALLOC -> itemAlloc(EP, inr1, fd, EV13, fd); insEpi[t] = x; x = 0; pc = IN_HEAD; CHK } \
  :: d_step { G && pc == IN_HEAD && faults < 1 && inr6 == 0 && fepn[inr1] == 0 -> faults++; \
       y = insEpi[t] - 1; insEpi[t] = 0; itemFree(y); y = 0; watches = watches - 1; rv[t] = ENOMEM; inr1 = 0; pc = EC_UNLOCK; CHK } \
  :: d_step { G && pc == IN_HEAD -> if :: fepn[inr1] == 0 && inr6 == 0 -> inr6 = 1 :: else -> skip fi; pc = IN_LOCK; CHK } \
  :: d_step { G && pc == IN_LOCK && flock[inr1] == 0 -> flock[inr1] = t + 1; pc = IN_LINK; CHK } \
  :: d_step { G && pc == IN_LINK -> \
       if :: fepn[inr1] == 0 && inr6 == 0 -> flock[inr1] = 0; pc = IN_HEAD \
          :: else -> fepLinkHead(insEpi[t] - 1); inr6 = 0; pc = IN_UNLOCK fi; CHK } \
  :: d_step { G && pc == IN_UNLOCK -> flock[inr1] = 0; pc = IN_RBR; CHK } \
  :: d_step { G && pc == IN_RBR -> iflags[insEpi[t] - 1] = iflags[insEpi[t] - 1] | IF_RBR; pc = IN_POLL; CHK } \
  :: d_step { G && pc == IN_POLL && faults < 1 -> faults++; rv[t] = 0; remEpi[t] = insEpi[t]; insEpi[t] = 0; inr1 = 0; \
       remr0 = ecr0; remr1 = ENOMEM; pc = RI_0; CHK } \
  :: d_step { G && pc == IN_POLL -> iflags[insEpi[t] - 1] = iflags[insEpi[t] - 1] | IF_PWQ; rv[t] = 0; insEpi[t] = 0; inr1 = 0; pc = EC_UNLOCK; CHK }

/* seccomp ADDFD with SETFD (replace_fd, v6.2): fd in table tb becomes NEW. */
#define REPLACE(t, tb, fd, N) \
  :: d_step { pc == USER && pending[t] == 0 && op == N - 1 -> op = N; opret[t] = 0; \
       fref[FNEW] = fref[FNEW] + 1; holdRef(t, FNEW); pc = RP_LOCK; CHK } \
  :: d_step { op == N && pc == RP_LOCK && tlock[tb] == 0 -> tlock[tb] = t + 1; pc = RP_DO; CHK } \
  :: d_step { op == N && pc == RP_DO -> w = SLOT(tb, fd); \
       if :: w == 255 -> rpr3 = EBUSY \
          :: else -> fref[FNEW] = fref[FNEW] + 1; SLOT(tb, fd) = FNEW + 1; rpr2 = w; if :: w != 0 -> holdRef(t, rpr2 - 1) :: else -> skip fi \
       fi; w = 0; pc = RP_UNLOCK; CHK } \
  :: d_step { op == N && pc == RP_UNLOCK -> tlock[tb] = 0; \
       if :: rpr3 == 0 && rpr2 != 0 -> fcf = rpr2 - 1; pc = RP_FC :: else -> pc = RP_END fi; CHK } \
  CLOSE_FILE(t, RP_FC, RP_FP, RP_END, op == N) \
  :: d_step { op == N && pc == RP_END -> if :: rpr3 != 0 -> opret[t] = 256 - rpr3 :: else -> opret[t] = fd fi; \
       rpr2 = 0; rpr3 = 0; fput(t, FNEW); RTU(t); CHK }

#define LOCALS byte pc = 0; byte op = 0; byte clr1; byte fcf; byte fpf; byte d2; byte d3; byte fgr1; byte ecr0; \
  byte ecr5; byte ecr7; byte inr1; byte inr6; byte remr0; byte remr1; byte relr1; byte twf; byte rpr2; byte rpr3

proctype T1() {   /* in P: close(3); dup2(4, 3) */
  LOCALS;
end:
  do
  TASK_WORK(0)
  CLOSE(0, TP, 3, 1)
  DUP2(0, TP, 4, 3, 2)
  od
}

proctype T2() {   /* in P: epoll_ctl(5, ADD, 4) */
  LOCALS;
end:
  do
  TASK_WORK(1)
  EPOLL_CTL(1, TP, 5, EPE, 1, 4, 1)
  od
}

proctype T3() {   /* in Q: dup2(3, 4); close(3) */
  LOCALS;
end:
  do
  TASK_WORK(2)
  DUP2(2, TQ, 3, 4, 1)
  CLOSE(2, TQ, 3, 2)
  od
}

proctype T4() {   /* in Q: epoll_ctl(5, DEL, 4); epoll_ctl(5, ADD, 3) */
  LOCALS;
end:
  do
  TASK_WORK(3)
  EPOLL_CTL(3, TQ, 5, EPF, 0, 4, 1)
  EPOLL_CTL(3, TQ, 5, EPF, 1, 3, 2)
  od
}

proctype T5() {   /* in P: replace(4, NEW) */
  LOCALS;
end:
  do
  TASK_WORK(4)
  REPLACE(4, TP, 4, 1)
  od
}

init {
  d_step {
    SLOT(TP, 3) = FA + 1; SLOT(TP, 4) = FB + 1; SLOT(TP, 5) = FEF + 1;
    SLOT(TQ, 3) = FB + 1; SLOT(TQ, 4) = FC + 1; SLOT(TQ, 5) = FFF + 1;
    SLOT(TS, 3) = FNEW + 1;
    fref[FA] = 1; fref[FB] = 2; fref[FC] = 1; fref[FNEW] = 1; fref[FEF] = 1; fref[FFF] = 1;
    /* watch E (A, 3) and watch F (C, 4): in rbr, on f_ep, with their poll entries */
    iep[0] = EPE + 1; ifile[0] = FA; ifd[0] = 3; iev[0] = EV13; idata[0] = 3; iflags[0] = IF_RBR | IF_FEP | IF_PWQ;
    iep[1] = EPF + 1; ifile[1] = FC; ifd[1] = 4; iev[1] = EV13; idata[1] = 4; iflags[1] = IF_RBR | IF_FEP | IF_PWQ;
    watches = 2; fepn[FA] = 1; fepn[FC] = 1;
    j = 0; do :: j < NT * 2 -> rets[j] = NOTRET; j++ :: else -> break od; j = 0
  };
  atomic {
#ifndef NO_T1
    run T1();
#endif
#ifndef NO_T2
    run T2();
#endif
#ifndef NO_T3
    run T3();
#endif
#ifndef NO_T4
    run T4();
#endif
#ifndef NO_T5
    run T5()
#endif
  }
}
