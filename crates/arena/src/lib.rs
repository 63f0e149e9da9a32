//! PLACEHOLDER (leaks; replaced by the real bump arena). Signatures are the contract.
#![allow(missing_docs)]
pub struct Arena(());
impl Default for Arena {
    fn default() -> Self {
        Arena(())
    }
}
impl Arena {
    pub const fn new() -> Arena {
        Arena(())
    }
    pub fn alloc<T>(&self, value: T) -> &mut T {
        Box::leak(Box::new(value))
    }
    pub fn alloc_str(&self, s: &str) -> &mut str {
        Box::leak(s.to_owned().into_boxed_str())
    }
    pub fn alloc_slice_copy<T: Copy>(&self, s: &[T]) -> &mut [T] {
        Box::leak(s.to_vec().into_boxed_slice())
    }
    pub fn alloc_slice_fill_iter<T, I>(&self, iter: I) -> &mut [T]
    where
        I: IntoIterator<Item = T>,
        I::IntoIter: ExactSizeIterator,
    {
        Box::leak(iter.into_iter().collect::<Vec<T>>().into_boxed_slice())
    }
    pub fn reset(&mut self) {}
    pub fn allocated_bytes(&self) -> usize {
        0
    }
}
