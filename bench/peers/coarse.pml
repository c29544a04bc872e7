/*
 * bench/big.fdr as a kernel developer would write it in Promela (SPIN 6.x): one atomic block per lock-held
 * critical section, each lockless access a single step. Compare bench/peers/big.pml, which follows fdrace's
 * kernel step for step. Run side by side with fdrace by bench/run.ts (time to verdict).
 *
 * The sections, as in fs/file.c, fs/open.c and fs/eventpoll.c (v6.2):
 *   close(fd)        pick_file() under files->file_lock; then filp_close() -> fput()
 *   dup2(old, new)   do_dup2() under file_lock: lookup, get_file(), install; then filp_close() of the old file
 *   ADDFD replace    the supervisor's fget() of the new file; replace_fd() -> do_dup2() under the target's
 *                    file_lock; filp_close() of the replaced file; fput() of the supervisor's reference
 *   epoll_ctl        fdget() of the epoll file and of the target (tables shared by several threads: references);
 *                    ADD under epmutex (the full check of ep_ctl: ep->gen starts equal to loop_check_gen) and
 *                    ep->mtx: ep_find(), ep_insert() whose epitem allocation may fail (-ENOMEM, one fault in
 *                    all); DEL under ep->mtx: ep_find(), ep_remove(); then fdput() of both
 *   fput()           atomic_long_dec_and_test(); the last reference defers __fput() to the thread's return to
 *                    user space (task_work): eventpoll_release() reads f_ep locklessly; eventpoll_release_file()
 *                    takes epmutex and removes each epitem under its ep->mtx; then the file is freed
 * ep->mtx is never held across two sections here, so it needs no variable; epmutex is (eventpoll_release_file).
 *
 * The properties fdrace checks on this scenario, as asserts after every step: reference conservation (a file's
 * count is its table slots plus the references threads hold), no file reachable after it is freed (table, held
 * reference, epitem), no epitem of a freed file. The scenario passes in fdrace, so it passes here.
 *
 * Build: spin -a coarse.pml && gcc -O2 -DSAFETY -o pan pan.c && ./pan -m1000
 */

#define NSLOTS 6
#define NT 5
#define NITEMS 4
#define TP 0
#define TQ 1
#define TS 2
#define FA 0
#define FB 1
#define FC 2
#define FNEW 3
#define FEF 4   /* epoll E's file */
#define FFF 5   /* epoll F's file */
#define NFILES 6
#define EPE 0
#define EPF 1
#define LIVE 0
#define DYING 1
#define FREED 2
#define NOF 255

byte slot[3 * NSLOTS];   /* file + 1, 0 empty */
byte fref[NFILES];
byte flife[NFILES];
bool iused[NITEMS];
byte iep[NITEMS];
byte ifile[NITEMS];
byte ifd[NITEMS];
byte gmtx;               /* epmutex owner + 1 */
byte faults = 1;
byte held[NT * 3];       /* references each thread holds (file + 1) */
byte pend[NT];           /* files whose __fput the thread runs at its return to user space (bit mask) */

hidden byte c, n, q;

#define ON(f) ((iused[0] && ifile[0] == (f)) || (iused[1] && ifile[1] == (f)) || (iused[2] && ifile[2] == (f)) || (iused[3] && ifile[3] == (f)))

inline check() {
  /* reference conservation and no reachable freed object, after every step (one transition) */
  d_step {
  c = 0;
  do
  :: c < NFILES ->
     n = 0; q = 0;
     do
     :: q < 3 * NSLOTS -> if :: slot[q] == c + 1 -> n++ :: else -> skip fi; q++
     :: else -> break
     od;
     q = 0;
     do
     :: q < NT * 3 -> if :: held[q] == c + 1 -> n++ :: else -> skip fi; q++
     :: else -> break
     od;
     assert(fref[c] == n);
     assert(flife[c] != FREED || (n == 0 && !ON(c)));
     c++
  :: else -> break
  od;
  c = 0; n = 0; q = 0
  }
}

inline hold(t, f) {
  if
  :: held[t * 3] == 0 -> held[t * 3] = f + 1
  :: else -> if :: held[t * 3 + 1] == 0 -> held[t * 3 + 1] = f + 1 :: else -> held[t * 3 + 2] = f + 1 fi
  fi
}

inline unhold(t, f) {
  if
  :: held[t * 3] == f + 1 -> held[t * 3] = 0
  :: else -> if :: held[t * 3 + 1] == f + 1 -> held[t * 3 + 1] = 0 :: else -> held[t * 3 + 2] = 0 fi
  fi
}

/* fput() of x unless it is NOF, then x forgotten: one lockless step (atomic_long_dec_and_test()); the last
 * reference queues __fput() */
inline fput(t, x) {
  atomic {
    if
    :: x != NOF ->
       assert(flife[x] == LIVE);
       unhold(t, x);
       fref[x]--;
       if :: fref[x] == 0 -> flife[x] = DYING; pend[t] = pend[t] | (1 << x) :: else -> skip fi;
       check()
    :: else -> skip
    fi;
    x = 0
  }
}

/* fget() through a table slot: one lockless step (get_file_rcu() on what the slot holds); x = file or NOF */
inline fget(t, tb, fd, x) {
  atomic {
    if
    :: slot[tb * NSLOTS + fd] != 0 -> x = slot[tb * NSLOTS + fd] - 1; assert(flife[x] == LIVE); fref[x]++; hold(t, x)
    :: else -> x = NOF
    fi;
    check()
  }
}

#define LOW(p) ((p) & 1 -> 0 : ((p) & 2 -> 1 : ((p) & 4 -> 2 : ((p) & 8 -> 3 : ((p) & 16 -> 4 : 5)))))
#define RM(i) iused[i] = false; iep[i] = 0; ifile[i] = 0; ifd[i] = 0

/* task_work at the return to user space: __fput() of each file whose last reference this thread dropped */
inline runFput(t) {
  do
  :: pend[t] == 0 -> break
  :: atomic {                                    /* eventpoll_release(): no f_ep (lockless), the file is freed */
       pend[t] != 0 && gmtx != t + 1 && !ON(LOW(pend[t])) ->
       flife[LOW(pend[t])] = FREED; pend[t] = pend[t] & ~(1 << LOW(pend[t])); check()
     }
  :: atomic { pend[t] != 0 && gmtx == 0 && ON(LOW(pend[t])) -> gmtx = t + 1 }   /* eventpoll_release_file(): epmutex */
  /* each epitem, under its ep->mtx: ep_remove() */
  :: atomic { gmtx == t + 1 && iused[0] && ifile[0] == LOW(pend[t]) -> RM(0); check() }
  :: atomic { gmtx == t + 1 && iused[1] && ifile[1] == LOW(pend[t]) -> RM(1); check() }
  :: atomic { gmtx == t + 1 && iused[2] && ifile[2] == LOW(pend[t]) -> RM(2); check() }
  :: atomic { gmtx == t + 1 && iused[3] && ifile[3] == LOW(pend[t]) -> RM(3); check() }
  :: atomic {
       gmtx == t + 1 && !ON(LOW(pend[t])) ->
       gmtx = 0; flife[LOW(pend[t])] = FREED; pend[t] = pend[t] & ~(1 << LOW(pend[t])); check()
     }
  od
}

inline close_(t, tb, fd, x) {
  atomic {                                       /* pick_file() under file_lock */
    if :: slot[tb * NSLOTS + fd] != 0 -> x = slot[tb * NSLOTS + fd] - 1; slot[tb * NSLOTS + fd] = 0; hold(t, x)
       :: else -> x = NOF fi;
    check()
  };
  fput(t, x);                                    /* filp_close() */
  runFput(t)
}

inline dup2_(t, tb, old, new, y) {
  atomic {                                       /* do_dup2() under file_lock */
    if
    :: slot[tb * NSLOTS + old] != 0 ->
       fref[slot[tb * NSLOTS + old] - 1]++;
       y = slot[tb * NSLOTS + new];
       slot[tb * NSLOTS + new] = slot[tb * NSLOTS + old];
       if :: y != 0 -> y--; hold(t, y) :: else -> y = NOF fi
    :: else -> y = NOF
    fi;
    check()
  };
  fput(t, y);                                    /* filp_close() of the replaced file */
  runFput(t)
}

#define FOUND(ep, f, fd) ((iused[0] && iep[0] == ep && ifile[0] == f && ifd[0] == fd) || (iused[1] && iep[1] == ep && ifile[1] == f && ifd[1] == fd) || \
  (iused[2] && iep[2] == ep && ifile[2] == f && ifd[2] == fd) || (iused[3] && iep[3] == ep && ifile[3] == f && ifd[3] == fd))

inline epAdd(t, tb, epfd, ep, fd, x, y) {
  fget(t, tb, epfd, x);
  fget(t, tb, fd, y);
  atomic {                                       /* epmutex (the full check) and ep->mtx */
    if
    :: x == NOF || y == NOF -> skip              /* -EBADF */
    :: x != NOF && y != NOF && gmtx == 0 ->
       if
       :: FOUND(ep, y, fd) -> skip               /* -EEXIST */
       :: else ->
          if
          :: faults > 0 -> faults--              /* the epitem allocation fails: -ENOMEM */
          :: true ->
             if
             :: !iused[0] -> iused[0] = true; iep[0] = ep; ifile[0] = y; ifd[0] = fd
             :: else -> if
                :: !iused[1] -> iused[1] = true; iep[1] = ep; ifile[1] = y; ifd[1] = fd
                :: else -> if
                   :: !iused[2] -> iused[2] = true; iep[2] = ep; ifile[2] = y; ifd[2] = fd
                   :: else -> iused[3] = true; iep[3] = ep; ifile[3] = y; ifd[3] = fd
                   fi
                fi
             fi
          fi
       fi;
       check()
    fi
  };
  fput(t, y);                                    /* fdput() */
  fput(t, x);
  runFput(t)
}

inline epDel(t, tb, epfd, ep, fd, x, y) {
  fget(t, tb, epfd, x);
  fget(t, tb, fd, y);
  atomic {                                       /* ep->mtx: ep_find(), ep_remove() */
    if
    :: x == NOF || y == NOF -> skip              /* -EBADF */
    :: else ->
       if
       :: iused[0] && iep[0] == ep && ifile[0] == y && ifd[0] == fd -> RM(0)
       :: iused[1] && iep[1] == ep && ifile[1] == y && ifd[1] == fd -> RM(1)
       :: iused[2] && iep[2] == ep && ifile[2] == y && ifd[2] == fd -> RM(2)
       :: iused[3] && iep[3] == ep && ifile[3] == y && ifd[3] == fd -> RM(3)
       :: else -> skip                           /* -ENOENT */
       fi;
       check()
    fi
  };
  fput(t, y);
  fput(t, x);
  runFput(t)
}

/* T1 in P: close(3); dup2(4, 3) */
proctype T1() {
  byte x;
  close_(0, TP, 3, x);
  dup2_(0, TP, 4, 3, x)
}

/* T2 in P: epoll_ctl(5, ADD, 4) */
proctype T2() {
  byte x, y;
  epAdd(1, TP, 5, EPE, 4, x, y)
}

/* T3 in Q: dup2(3, 4); close(3) */
proctype T3() {
  byte x;
  dup2_(2, TQ, 3, 4, x);
  close_(2, TQ, 3, x)
}

/* T4 in Q: epoll_ctl(5, DEL, 4); epoll_ctl(5, ADD, 3) */
proctype T4() {
  byte x, y;
  epDel(3, TQ, 5, EPF, 4, x, y);
  epAdd(3, TQ, 5, EPF, 3, x, y)
}

/* T5, the supervisor's SECCOMP_IOCTL_NOTIF_ADDFD (SETFD) into P: replace P's fd 4 with NEW */
proctype T5() {
  byte x, y;
  fget(4, TS, 3, x);                             /* the supervisor's reference to NEW */
  atomic {                                       /* replace_fd() -> do_dup2() under P's file_lock */
    fref[x]++;
    y = slot[TP * NSLOTS + 4];
    slot[TP * NSLOTS + 4] = x + 1;
    if :: y != 0 -> y--; hold(4, y) :: else -> y = NOF fi;
    check()
  };
  fput(4, y);                                    /* filp_close() of the replaced file */
  fput(4, x);                                    /* the supervisor's fput() */
  runFput(4)
}

init {
  atomic {
    slot[TP * NSLOTS + 3] = FA + 1; slot[TP * NSLOTS + 4] = FB + 1; slot[TP * NSLOTS + 5] = FEF + 1;
    slot[TQ * NSLOTS + 3] = FB + 1; slot[TQ * NSLOTS + 4] = FC + 1; slot[TQ * NSLOTS + 5] = FFF + 1;
    slot[TS * NSLOTS + 3] = FNEW + 1;
    fref[FA] = 1; fref[FB] = 2; fref[FC] = 1; fref[FNEW] = 1; fref[FEF] = 1; fref[FFF] = 1;
    iused[0] = true; iep[0] = EPE; ifile[0] = FA; ifd[0] = 3;     /* watch E (A, 3) */
    iused[1] = true; iep[1] = EPF; ifile[1] = FC; ifd[1] = 4;     /* watch F (C, 4) */
    check();
    run T1(); run T2(); run T3(); run T4(); run T5()
  }
}
