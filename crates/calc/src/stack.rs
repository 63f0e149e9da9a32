//! Running deep recursion without a native stack overflow.
//!
//! The evaluator and the parser recurse on the native stack. Two measures
//! keep them from overflowing it:
//!
//! 1. [`run_with_stack`] runs the whole pipeline on a thread with a large
//!    stack ([`stack_size_for`] sizes it from the recursion limit; the memory
//!    is reserved, and committed only as it is touched).
//! 2. A [`StackGuard`] compares the address of a local variable with the
//!    address recorded when evaluation started, and reports `recursion limit
//!    exceeded` before the stack's end is near, whatever the shape of the
//!    program or the `--max-depth` setting. Only addresses are compared; no
//!    memory is read through them.

use std::cell::Cell;

/// Bytes kept free below the guard's limit: enough for the deepest run of
/// native frames between two checks, with room to spare.
const MARGIN: usize = 4 << 20;

/// The budget when the current thread was not started by [`run_with_stack`]:
/// a conservative share of the 2 MiB that Rust gives a spawned thread.
const UNKNOWN_THREAD_BUDGET: usize = 1 << 20;

/// The smallest stack [`run_with_stack`] falls back to.
const MIN_STACK: usize = 16 << 20;

/// The largest stack [`stack_size_for`] asks for. It is address space, not
/// memory: pages are committed only as recursion reaches them, and
/// [`run_with_stack`] asks for less if the system refuses. But a runaway
/// recursion under a huge `--max-depth` does reach it before the guard
/// stops it, so it bounds the memory such a program takes.
const MAX_STACK: usize = if usize::BITS >= 64 {
    2 << 30
} else {
    512 << 20
};

/// Native stack bytes reserved per level of the recursion limit.
///
/// A simple recursive function (`f(n) = if n == 0 then 0 else f(n - 1)`)
/// spends about 450 bytes of stack per calc call in optimised code, and
/// each further level of nesting in its body (a prefix `-`, a `1 + (…)` or
/// an `if` around the recursive call) about 190 more. So a body nested
/// about 340 levels deep still recurses to the limit; the guard covers
/// bodies that need more. Unoptimised code spends about 5 KiB per level,
/// which would leave room for about 12: the workspace builds this crate
/// with `opt-level = 1` in its dev profile too.
const BYTES_PER_LEVEL: usize = 64 << 10;

thread_local! {
    /// `(address near the top of the stack, stack size)` for threads started
    /// by [`run_with_stack`].
    static THREAD_STACK: Cell<Option<(usize, usize)>> = const { Cell::new(None) };
}

#[inline(always)]
fn current_address() -> usize {
    let marker = 0u8;
    std::hint::black_box(&marker) as *const u8 as usize
}

/// The stack size [`run_with_stack`] should use for a recursion limit.
///
/// ```
/// use arenakit_calc::stack::stack_size_for;
/// assert!(stack_size_for(10_000) >= 640 << 20);
/// assert!(stack_size_for(usize::MAX) <= 2 << 30);
/// ```
pub fn stack_size_for(max_depth: usize) -> usize {
    max_depth
        .saturating_mul(BYTES_PER_LEVEL)
        .saturating_add(64 << 20)
        .min(MAX_STACK)
}

/// Runs `f` on a new thread with a stack of `size` bytes and returns its
/// result, so that a [`StackGuard`] created inside knows how much stack it
/// may use.
///
/// If the system refuses a stack that large, smaller ones are tried (down to
/// 16 MiB); if even that fails, `f` runs on the current thread, where the
/// guard falls back to a conservative budget. A panic in `f` is resumed on
/// the calling thread.
///
/// ```
/// use arenakit_calc::stack::run_with_stack;
/// assert_eq!(run_with_stack(32 << 20, || 6 * 7), 42);
/// ```
pub fn run_with_stack<R, F>(size: usize, f: F) -> R
where
    F: FnOnce() -> R + Send,
    R: Send,
{
    let mut size = size.max(MIN_STACK);
    let mut f = Some(f);
    loop {
        let result = std::thread::scope(|scope| {
            let spawned = std::thread::Builder::new()
                .name("calc".to_string())
                .stack_size(size)
                .spawn_scoped(scope, {
                    let f = &mut f;
                    move || {
                        THREAD_STACK.with(|t| t.set(Some((current_address(), size))));
                        f.take().map(|f| f())
                    }
                });
            match spawned {
                Ok(handle) => Some(handle.join()),
                Err(_) => None,
            }
        });
        match result {
            Some(Ok(Some(r))) => return r,
            Some(Ok(None)) => break,
            Some(Err(panic)) => std::panic::resume_unwind(panic),
            None if size > MIN_STACK => size = (size / 2).max(MIN_STACK),
            None => break,
        }
    }
    match f.take() {
        Some(f) => f(),
        // The closure ran and returned `None`, which cannot happen: it
        // returns `Some` whenever it had the closure to take.
        None => unreachable_stack_state(),
    }
}

#[cold]
fn unreachable_stack_state() -> ! {
    panic!("run_with_stack: the closure was taken but produced no result")
}

/// Whether the current thread was started by [`run_with_stack`].
///
/// ```
/// use arenakit_calc::stack::{on_large_stack, run_with_stack};
/// assert!(!on_large_stack());
/// assert!(run_with_stack(32 << 20, on_large_stack));
/// ```
pub fn on_large_stack() -> bool {
    THREAD_STACK.with(Cell::get).is_some()
}

/// A limit on how much more native stack evaluation may use.
///
/// ```
/// use arenakit_calc::stack::StackGuard;
/// let guard = StackGuard::here();
/// assert!(!guard.exhausted());
/// ```
#[derive(Clone, Copy, Debug)]
pub struct StackGuard {
    base: usize,
    budget: usize,
}

impl StackGuard {
    /// A guard measured from the current point of the current thread.
    ///
    /// ```
    /// use arenakit_calc::stack::{run_with_stack, StackGuard};
    /// // On a thread from `run_with_stack` the guard knows the stack's size; elsewhere it
    /// // falls back to a conservative budget.
    /// let large = run_with_stack(64 << 20, || StackGuard::here().budget());
    /// assert!(large > StackGuard::here().budget());
    /// ```
    pub fn here() -> StackGuard {
        let here = current_address();
        let budget = match THREAD_STACK.with(Cell::get) {
            Some((top, size)) => size
                .saturating_sub(top.abs_diff(here))
                .saturating_sub(MARGIN),
            None => UNKNOWN_THREAD_BUDGET,
        };
        StackGuard { base: here, budget }
    }

    /// Whether the stack in use since [`StackGuard::here`] exceeds the budget.
    ///
    /// ```
    /// use arenakit_calc::stack::StackGuard;
    ///
    /// /// Recurses with frames of at least 1 KiB until the guard trips; returns the depth.
    /// fn dive(guard: &StackGuard, depth: usize) -> usize {
    ///     let frame = [0_u8; 1024];
    ///     std::hint::black_box(&frame);
    ///     if guard.exhausted() {
    ///         depth
    ///     } else {
    ///         dive(guard, depth + 1) + std::hint::black_box(0)
    ///     }
    /// }
    ///
    /// let guard = StackGuard::here();
    /// let depth = dive(&guard, 0);
    /// // It tripped, and no later than the budget allows for levels of 1 KiB or more.
    /// assert!(depth > 0 && depth <= guard.budget() / 1024 + 1);
    /// ```
    #[inline(always)]
    pub fn exhausted(&self) -> bool {
        self.used() > self.budget
    }

    /// The bytes of stack in use since [`StackGuard::here`], measured at the
    /// caller's frame.
    ///
    /// ```
    /// use arenakit_calc::stack::StackGuard;
    ///
    /// /// The stack in use `levels` calls down, each with a 256-byte frame.
    /// #[inline(never)]
    /// fn used_at(guard: &StackGuard, levels: usize) -> usize {
    ///     let frame = [0_u8; 256];
    ///     std::hint::black_box(&frame);
    ///     match levels {
    ///         0 => guard.used(),
    ///         _ => used_at(guard, levels - 1) + std::hint::black_box(0),
    ///     }
    /// }
    ///
    /// let guard = StackGuard::here();
    /// assert!(used_at(&guard, 8) >= used_at(&guard, 0) + 8 * 256);
    /// ```
    #[inline(always)]
    pub fn used(&self) -> usize {
        self.base.abs_diff(current_address())
    }

    /// The bytes this guard allows.
    ///
    /// ```
    /// use arenakit_calc::stack::{run_with_stack, StackGuard};
    /// let budget = run_with_stack(64 << 20, || StackGuard::here().budget());
    /// // Most of the 64 MiB stack, less a safety margin.
    /// assert!(budget > 32 << 20 && budget < 64 << 20);
    /// ```
    pub fn budget(&self) -> usize {
        self.budget
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Recurses with 1 KiB frames until the guard trips; returns the depth.
    fn dive(guard: &StackGuard, depth: usize) -> usize {
        let frame = [depth as u8; 1024];
        std::hint::black_box(&frame);
        if guard.exhausted() {
            depth
        } else {
            dive(guard, depth + 1) + std::hint::black_box(0)
        }
    }

    #[test]
    fn guard_trips_before_an_ordinary_thread_overflows() {
        let guard = StackGuard::here();
        assert_eq!(guard.budget(), UNKNOWN_THREAD_BUDGET);
        let depth = dive(&guard, 0);
        assert!((100..=1100).contains(&depth), "{depth}");
    }

    #[test]
    fn a_large_stack_thread_gets_a_large_budget() {
        let (budget, depth) = run_with_stack(64 << 20, || {
            let guard = StackGuard::here();
            (guard.budget(), dive(&guard, 0))
        });
        assert!(budget > (64 << 20) - MARGIN - (1 << 20), "{budget}");
        assert!(budget <= (64 << 20) - MARGIN, "{budget}");
        assert!(depth > 50_000, "{depth}");
    }

    #[test]
    fn sizes_grow_with_the_limit_and_are_capped() {
        assert!(stack_size_for(100_000) > stack_size_for(10_000));
        assert_eq!(stack_size_for(usize::MAX), MAX_STACK);
    }
}
