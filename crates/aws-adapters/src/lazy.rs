//! SDK clients made on their first call.

use std::sync::LazyLock;

/// An SDK client made when it is first used rather than at start-up. Making the first client
/// of a service parses that service's endpoint rules (each SDK crate carries its own copy of
/// AWS's partitions and compiles their region patterns): about 0.44 million instructions per
/// service under callgrind, a tenth of a function's start-up. A function makes every client
/// one of its events may need; an event that calls no such service should not pay for it, and
/// one that does pays the same, once.
pub(crate) type OnFirstCall<C> = LazyLock<C, Box<dyn FnOnce() -> C + Send>>;

/// The client `make` makes, made on its first use.
pub(crate) fn on_first_call<C>(make: impl FnOnce() -> C + Send + 'static) -> OnFirstCall<C> {
    LazyLock::new(Box::new(make))
}
