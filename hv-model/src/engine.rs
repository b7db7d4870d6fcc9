//! The host-side debugger engine of a partition's debug channel, reporting session changes as dbgeng's
//! `IDebugEventCallbacks::SessionStatus` documents.
//!
//! For one status change the engine notifies, in this order:
//! - [`SessionStatus::Active`]: every callback whose interest mask has `SESSION_STATUS` gets
//!   `session_status(ACTIVE)`; then every extension with a notify entry gets
//!   `notify(DEBUG_NOTIFY_SESSION_ACTIVE, 0)`; then callbacks with `CHANGE_DEBUGGEE_STATE` get
//!   `change_debuggee_state(DEBUG_CDS_ALL, 0)`.
//! - any other status: callbacks with `CHANGE_ENGINE_STATE` get
//!   `change_engine_state(DEBUG_CES_EXECUTION_STATUS, DEBUG_STATUS_NO_DEBUGGEE)`; then
//!   `session_status(status)`; then extensions get `notify(DEBUG_NOTIFY_SESSION_INACTIVE, 0)`.
//!
//! **Documentation erratum.** The SessionStatus page says the engine passes `DEBUG_SESSION_ACTIVE` or
//! "`DEBUG_SESSION_INACTIVE`" to extensions. No header defines `DEBUG_SESSION_INACTIVE`; the extension
//! entry takes a `DEBUG_NOTIFY_SESSION_*` value. The two value spaces are separate types here
//! ([`SessionStatus`], [`NotifySession`]), so the mix-up cannot compile, although
//! `DEBUG_NOTIFY_SESSION_INACTIVE` (1) and `DEBUG_SESSION_END_SESSION_ACTIVE_TERMINATE` (1) share a number.
//!
//! A callback's result is recorded and otherwise ignored; one failing callback does not stop the others.
//! No status is reported twice, and nothing is reported without an active session.

use alloc::boxed::Box;
use alloc::vec::Vec;
use core::fmt;

use hv_abi::{HvResult, PartitionId};
use num_enum::{IntoPrimitive, TryFromPrimitive};

use crate::hypervisor::{Hypervisor, PartitionEvent};

/// A raw value that names no member of a dbgeng value space.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UnknownValue {
    /// The Rust type asked for.
    pub type_name: &'static str,
    /// The raw value.
    pub value: u32,
}

impl fmt::Display for UnknownValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:#x} is not a {} value", self.value, self.type_name)
    }
}

impl core::error::Error for UnknownValue {}

/// Declares a closed dbgeng value space: a `u32` enum with dbgeng.h names, and `TryFrom<u32>` that
/// rejects unknown values with [`UnknownValue`].
macro_rules! dbgeng_values {
    ($(#[$meta:meta])* $Name:ident { $( $(#[$vmeta:meta])* $Variant:ident = $value:literal => $c:literal, )* }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, IntoPrimitive, TryFromPrimitive)]
        #[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
        #[num_enum(error_type(name = UnknownValue, constructor = $Name::unknown))]
        #[repr(u32)]
        pub enum $Name {
            $( $(#[$vmeta])* $Variant = $value, )*
        }

        impl $Name {
            fn unknown(value: u32) -> UnknownValue {
                UnknownValue { type_name: stringify!($Name), value }
            }

            /// The dbgeng.h name.
            #[must_use]
            pub const fn name(self) -> &'static str {
                match self {
                    $( Self::$Variant => $c, )*
                }
            }
        }
    };
}

dbgeng_values! {
    /// `DEBUG_SESSION_*`: the status passed to `IDebugEventCallbacks::SessionStatus`.
    SessionStatus {
        /// A debugger session has started.
        Active = 0 => "DEBUG_SESSION_ACTIVE",
        /// Ended by `EndSession(DEBUG_END_ACTIVE_TERMINATE)`.
        EndSessionActiveTerminate = 1 => "DEBUG_SESSION_END_SESSION_ACTIVE_TERMINATE",
        /// Ended by `EndSession(DEBUG_END_ACTIVE_DETACH)`.
        EndSessionActiveDetach = 2 => "DEBUG_SESSION_END_SESSION_ACTIVE_DETACH",
        /// Ended by `EndSession(DEBUG_END_PASSIVE)`.
        EndSessionPassive = 3 => "DEBUG_SESSION_END_SESSION_PASSIVE",
        /// The target ran to completion.
        End = 4 => "DEBUG_SESSION_END",
        /// The target rebooted.
        Reboot = 5 => "DEBUG_SESSION_REBOOT",
        /// The target hibernated.
        Hibernate = 6 => "DEBUG_SESSION_HIBERNATE",
        /// The engine could not continue the session.
        Failure = 7 => "DEBUG_SESSION_FAILURE",
    }
}

dbgeng_values! {
    /// `DEBUG_END_*`: the flags of `IDebugClient::EndSession`. Note that `PASSIVE` (0) ends with
    /// `DEBUG_SESSION_END_SESSION_PASSIVE` (3); the numbers of the two spaces differ.
    EndSessionFlags {
        /// Clean up only; the target is left as it is.
        Passive = 0 => "DEBUG_END_PASSIVE",
        /// Terminate the target, then clean up.
        ActiveTerminate = 1 => "DEBUG_END_ACTIVE_TERMINATE",
        /// Detach from the target, which runs on, then clean up.
        ActiveDetach = 2 => "DEBUG_END_ACTIVE_DETACH",
        /// Lock-free partial clean-up, for use where the engine's locks cannot be taken.
        Reentrant = 3 => "DEBUG_END_REENTRANT",
        /// Disconnect this client; the session does not end.
        Disconnect = 4 => "DEBUG_END_DISCONNECT",
    }
}

dbgeng_values! {
    /// `DEBUG_NOTIFY_SESSION_*`: the `Notify` argument of an extension's `DebugExtensionNotify`.
    NotifySession {
        /// A session is active.
        Active = 0 => "DEBUG_NOTIFY_SESSION_ACTIVE",
        /// No session is active.
        Inactive = 1 => "DEBUG_NOTIFY_SESSION_INACTIVE",
        /// The session is suspended and accessible.
        Accessible = 2 => "DEBUG_NOTIFY_SESSION_ACCESSIBLE",
        /// The target runs and is inaccessible.
        Inaccessible = 3 => "DEBUG_NOTIFY_SESSION_INACCESSIBLE",
    }
}

/// `DEBUG_STATUS_NO_DEBUGGEE`: the execution status once a session has ended, passed with
/// `DEBUG_CES_EXECUTION_STATUS`.
pub const DEBUG_STATUS_NO_DEBUGGEE: u64 = 7;

hv_abi::flags! {
    /// `DEBUG_EVENT_*`: the interest mask a callback returns from `GetInterestMask`.
    /// `SERVICE_EXCEPTION` (current SDK only) has no callback method and is accepted but never routed.
    pub struct EventInterest(u32) tlfs_prefix "DEBUG_EVENT_" {
        /// Breakpoint events.
        const BREAKPOINT = 0x0001;
        /// Exception events.
        const EXCEPTION = 0x0002;
        /// Thread creation.
        const CREATE_THREAD = 0x0004;
        /// Thread exit.
        const EXIT_THREAD = 0x0008;
        /// Process creation.
        const CREATE_PROCESS = 0x0010;
        /// Process exit.
        const EXIT_PROCESS = 0x0020;
        /// Module load.
        const LOAD_MODULE = 0x0040;
        /// Module unload.
        const UNLOAD_MODULE = 0x0080;
        /// System errors.
        const SYSTEM_ERROR = 0x0100;
        /// `SessionStatus`.
        const SESSION_STATUS = 0x0200;
        /// `ChangeDebuggeeState`.
        const CHANGE_DEBUGGEE_STATE = 0x0400;
        /// `ChangeEngineState`.
        const CHANGE_ENGINE_STATE = 0x0800;
        /// `ChangeSymbolState`.
        const CHANGE_SYMBOL_STATE = 0x1000;
        /// Service exceptions (current SDK only; no callback method).
        const SERVICE_EXCEPTION = 0x2000;
    }
}

hv_abi::flags! {
    /// `DEBUG_CDS_*`: the `Flags` of `ChangeDebuggeeState`. `DEBUG_CDS_ALL` (0xffffffff) is
    /// [`ChangeDebuggeeState::ALL`]; `REFRESH` is in the current SDK only.
    pub struct ChangeDebuggeeState(u32) tlfs_prefix "DEBUG_CDS_" {
        /// Registers changed (`Argument`: a register index or `DEBUG_ANY_ID`).
        const REGISTERS = 0x1;
        /// Data changed (`Argument`: a `DEBUG_DATA_SPACE_*`).
        const DATA = 0x2;
        /// A refresh (`Argument`: a `DEBUG_CDS_REFRESH_*`).
        const REFRESH = 0x4;
    }
}

hv_abi::flags! {
    /// `DEBUG_CES_*`: the `Flags` of `ChangeEngineState`. `DEBUG_CES_ALL` (0xffffffff) is
    /// [`ChangeEngineState::ALL`].
    pub struct ChangeEngineState(u32) tlfs_prefix "DEBUG_CES_" {
        /// The current thread.
        const CURRENT_THREAD = 0x1;
        /// The effective processor.
        const EFFECTIVE_PROCESSOR = 0x2;
        /// Breakpoints.
        const BREAKPOINTS = 0x4;
        /// The code level.
        const CODE_LEVEL = 0x8;
        /// The execution status (`Argument`: a `DEBUG_STATUS_*`).
        const EXECUTION_STATUS = 0x10;
        /// Engine options.
        const ENGINE_OPTIONS = 0x20;
        /// The log file.
        const LOG_FILE = 0x40;
        /// The radix.
        const RADIX = 0x80;
        /// Event filters.
        const EVENT_FILTERS = 0x100;
        /// Process options.
        const PROCESS_OPTIONS = 0x200;
        /// Extensions.
        const EXTENSIONS = 0x400;
        /// Systems.
        const SYSTEMS = 0x800;
        /// Assembly options (the DDI page's headings spell it `ASSEMBLE_OPTIONS`).
        const ASSEMBLY_OPTIONS = 0x1000;
        /// Expression syntax.
        const EXPRESSION_SYNTAX = 0x2000;
        /// Text replacements.
        const TEXT_REPLACEMENTS = 0x4000;
    }
}

/// `0xffffffff`, the "everything" value of the two change-flag spaces, and `TryFrom<u32>`.
macro_rules! all_value {
    ($Name:ident, $c:literal) => {
        impl $Name {
            #[doc = concat!("`", $c, "` (0xffffffff): everything changed.")]
            pub const ALL: Self = Self::from_bits_retain(u32::MAX);
        }

        impl TryFrom<u32> for $Name {
            type Error = UnknownValue;
            /// Accepts `0xffffffff` and combinations of the defined flags.
            fn try_from(value: u32) -> Result<Self, UnknownValue> {
                if value == u32::MAX {
                    return Ok(Self::ALL);
                }
                Self::from_bits(value).ok_or(UnknownValue {
                    type_name: stringify!($Name),
                    value,
                })
            }
        }
    };
}

all_value!(ChangeDebuggeeState, "DEBUG_CDS_ALL");
all_value!(ChangeEngineState, "DEBUG_CES_ALL");

impl TryFrom<u32> for EventInterest {
    type Error = UnknownValue;
    /// Accepts combinations of the defined `DEBUG_EVENT_*` bits.
    fn try_from(value: u32) -> Result<Self, UnknownValue> {
        Self::from_bits(value).ok_or(UnknownValue {
            type_name: "EventInterest",
            value,
        })
    }
}

/// An `HRESULT` a callback returned instead of `S_OK`; the engine records it and goes on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CallbackError(pub i32);

/// `IDebugEventCallbacks`, the methods a session change reaches.
pub trait EventCallbacks {
    /// `GetInterestMask`: read once, when the callbacks are registered. An error makes the
    /// registration fail, as `SetEventCallbacks` does.
    fn interest_mask(&self) -> Result<EventInterest, CallbackError>;
    /// `SessionStatus`.
    fn session_status(&mut self, status: SessionStatus) -> Result<(), CallbackError>;
    /// `ChangeDebuggeeState`.
    fn change_debuggee_state(&mut self, flags: ChangeDebuggeeState, argument: u64) -> Result<(), CallbackError>;
    /// `ChangeEngineState`.
    fn change_engine_state(&mut self, flags: ChangeEngineState, argument: u64) -> Result<(), CallbackError>;
}

/// Callbacks that ask for `mask` and do nothing else; the engine's [`Engine::trace`] records what they
/// were sent. For tools and tests that only need the trace.
#[derive(Clone, Copy, Debug)]
pub struct TraceOnly(pub EventInterest);

impl EventCallbacks for TraceOnly {
    fn interest_mask(&self) -> Result<EventInterest, CallbackError> {
        Ok(self.0)
    }
    fn session_status(&mut self, _: SessionStatus) -> Result<(), CallbackError> {
        Ok(())
    }
    fn change_debuggee_state(&mut self, _: ChangeDebuggeeState, _: u64) -> Result<(), CallbackError> {
        Ok(())
    }
    fn change_engine_state(&mut self, _: ChangeEngineState, _: u64) -> Result<(), CallbackError> {
        Ok(())
    }
}

/// A loaded debugger extension.
pub trait Extension {
    /// Whether the extension exports `DebugExtensionNotify`; read once, when it is loaded.
    fn has_notify(&self) -> bool;
    /// `DebugExtensionNotify(Notify, Argument)`; `Argument` is always 0 ("reserved").
    fn notify(&mut self, notify: NotifySession, argument: u64);
}

/// One notification the engine delivered, in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event {
    /// `SessionStatus` on callbacks number `callbacks`.
    SessionStatus {
        /// Index of the callbacks in registration order.
        callbacks: usize,
        /// The status.
        status: SessionStatus,
        /// What the callback returned.
        result: Result<(), CallbackError>,
    },
    /// `ChangeDebuggeeState` on callbacks number `callbacks`.
    ChangeDebuggeeState {
        /// Index of the callbacks in registration order.
        callbacks: usize,
        /// The flags.
        flags: ChangeDebuggeeState,
        /// The argument.
        argument: u64,
        /// What the callback returned.
        result: Result<(), CallbackError>,
    },
    /// `ChangeEngineState` on callbacks number `callbacks`.
    ChangeEngineState {
        /// Index of the callbacks in registration order.
        callbacks: usize,
        /// The flags.
        flags: ChangeEngineState,
        /// The argument.
        argument: u64,
        /// What the callback returned.
        result: Result<(), CallbackError>,
    },
    /// `DebugExtensionNotify` on extension number `extension`.
    ExtensionNotify {
        /// Index of the extension in load order.
        extension: usize,
        /// The notification.
        notify: NotifySession,
        /// The argument (0).
        argument: u64,
    },
}

impl fmt::Display for Event {
    /// `callbacks 0: SessionStatus(DEBUG_SESSION_ACTIVE)`, with `-> HRESULT 0x...` when the callback
    /// failed.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let result = match *self {
            Event::SessionStatus {
                callbacks,
                status,
                result,
            } => {
                write!(f, "callbacks {callbacks}: SessionStatus({})", status.name())?;
                result
            }
            Event::ChangeDebuggeeState {
                callbacks,
                flags,
                argument,
                result,
            } => {
                write!(
                    f,
                    "callbacks {callbacks}: ChangeDebuggeeState({:#x}, {argument})",
                    flags.bits()
                )?;
                result
            }
            Event::ChangeEngineState {
                callbacks,
                flags,
                argument,
                result,
            } => {
                write!(
                    f,
                    "callbacks {callbacks}: ChangeEngineState({:#x}, {argument})",
                    flags.bits()
                )?;
                result
            }
            Event::ExtensionNotify {
                extension,
                notify,
                argument,
            } => {
                return write!(
                    f,
                    "extension {extension}: DebugExtensionNotify({}, {argument})",
                    notify.name()
                );
            }
        };
        match result {
            Ok(()) => Ok(()),
            Err(CallbackError(hr)) => write!(f, " -> HRESULT {:#010x}", hr as u32),
        }
    }
}

/// Why an engine call did nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum EngineError {
    /// A session is already active.
    SessionActive,
    /// There is no active session.
    NoSession,
    /// `EndSession(DEBUG_END_REENTRANT)` left the engine indeterminate; it takes no further calls.
    Indeterminate,
    /// The hypervisor refused: the partition does not exist, does not run, or its debug channel is not
    /// usable (the status says which).
    Hypervisor(hv_abi::HvError),
}

impl fmt::Display for EngineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::SessionActive => f.write_str("a debug session is already active"),
            Self::NoSession => f.write_str("no debug session is active"),
            Self::Indeterminate => f.write_str("the engine is indeterminate after EndSession(DEBUG_END_REENTRANT)"),
            Self::Hypervisor(e) => write!(f, "the hypervisor refused: {e}"),
        }
    }
}

impl core::error::Error for EngineError {}

impl From<hv_abi::HvError> for EngineError {
    fn from(e: hv_abi::HvError) -> Self {
        Self::Hypervisor(e)
    }
}

/// The host end of partitions' debug channels, as the engine uses it: whether a channel is usable, the
/// bytes in each direction, and terminating a partition. Lifecycle changes reach the engine as
/// [`PartitionEvent`]s through [`Engine::on_event`].
///
/// [`Hypervisor`] implements it for the model's partitions; a VMM implements it for its VMs, so that the
/// same engine serves a real guest.
pub trait DebugHost {
    /// `Ok` when `partition` runs and its guest can use its debug channel; otherwise the status that says
    /// why: `INVALID_PARTITION_ID`, `INVALID_PARTITION_STATE`, or what the debug calls would answer
    /// (`FEATURE_UNAVAILABLE`, `ACCESS_DENIED`, `OPERATION_DENIED`).
    fn channel_usable(&self, partition: PartitionId) -> HvResult<()>;

    /// Sends bytes to the guest (its HvRetrieveDebugData reads them); returns the bytes dropped for want
    /// of room. A channel the guest cannot use takes nothing and fails.
    fn deliver(&mut self, partition: PartitionId, data: &[u8]) -> HvResult<usize>;

    /// Takes up to `buf.len()` bytes the guest posted; returns how many.
    fn receive(&mut self, partition: PartitionId, buf: &mut [u8]) -> HvResult<usize>;

    /// Terminates the partition (`EndSession(DEBUG_END_ACTIVE_TERMINATE)`).
    fn terminate(&mut self, partition: PartitionId) -> HvResult<PartitionEvent>;
}

impl DebugHost for Hypervisor {
    fn channel_usable(&self, partition: PartitionId) -> HvResult<()> {
        if self.partition(partition)?.state() != crate::PartitionState::Running {
            return crate::fail(hv_abi::HvStatus::INVALID_PARTITION_STATE);
        }
        self.debug_access(partition)
    }

    fn deliver(&mut self, partition: PartitionId, data: &[u8]) -> HvResult<usize> {
        Hypervisor::deliver(self, partition, data)
    }

    fn receive(&mut self, partition: PartitionId, buf: &mut [u8]) -> HvResult<usize> {
        Hypervisor::receive(self, partition, buf)
    }

    fn terminate(&mut self, partition: PartitionId) -> HvResult<PartitionEvent> {
        Hypervisor::terminate(self, partition)
    }
}

struct Registered {
    callbacks: Box<dyn EventCallbacks + Send>,
    mask: EventInterest,
}

struct Loaded {
    extension: Box<dyn Extension + Send>,
    has_notify: bool,
}

/// The debugger engine: event callbacks, extensions, and at most one session on one partition's channel.
#[derive(Default)]
pub struct Engine {
    callbacks: Vec<Registered>,
    extensions: Vec<Loaded>,
    session: Option<PartitionId>,
    /// Set by `EndSession(DEBUG_END_REENTRANT)`.
    indeterminate: bool,
    trace: Vec<Event>,
}

impl Engine {
    /// An engine with no callbacks, no extensions and no session.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers event callbacks (`SetEventCallbacks`), reading their interest mask once; returns their
    /// index, or the error `GetInterestMask` returned (and they are not used).
    pub fn register_callbacks(&mut self, callbacks: Box<dyn EventCallbacks + Send>) -> Result<usize, CallbackError> {
        let mask = callbacks.interest_mask()?;
        self.callbacks.push(Registered { callbacks, mask });
        Ok(self.callbacks.len() - 1)
    }

    /// Loads an extension, looking up its notify entry once; returns its index.
    pub fn load_extension(&mut self, extension: Box<dyn Extension + Send>) -> usize {
        let has_notify = extension.has_notify();
        self.extensions.push(Loaded { extension, has_notify });
        self.extensions.len() - 1
    }

    /// The partition of the active session, if any.
    #[must_use]
    pub fn session(&self) -> Option<PartitionId> {
        self.session
    }

    /// Every notification delivered so far, in order.
    #[must_use]
    pub fn trace(&self) -> &[Event] {
        &self.trace
    }

    /// Takes the trace, leaving it empty.
    pub fn take_trace(&mut self) -> Vec<Event> {
        core::mem::take(&mut self.trace)
    }

    /// Starts a session on a running partition whose debug channel is usable; reports `ACTIVE`.
    pub fn attach<H: DebugHost + ?Sized>(&mut self, host: &H, partition: PartitionId) -> Result<(), EngineError> {
        self.usable()?;
        if self.session.is_some() {
            return Err(EngineError::SessionActive);
        }
        host.channel_usable(partition)?;
        self.session = Some(partition);
        self.report(SessionStatus::Active);
        Ok(())
    }

    /// `EndSession(flags)`.
    ///
    /// `PASSIVE` ends with `END_SESSION_PASSIVE`; `ACTIVE_TERMINATE` terminates the partition and ends
    /// with `END_SESSION_ACTIVE_TERMINATE`; `ACTIVE_DETACH` ends with `END_SESSION_ACTIVE_DETACH` and
    /// the partition runs on. `DISCONNECT` does not end the session and reports nothing.
    ///
    /// `REENTRANT` ends the session and reports nothing. It has no `DEBUG_SESSION_*` value of its own
    /// (`END_SESSION_PASSIVE` means "ended by `DEBUG_END_PASSIVE`"), and it is the partial clean-up that
    /// takes no engine lock, for a thread that cannot wait for one; the callbacks and extensions are
    /// called under that lock, so none of them is notified. dbgeng leaves the engine indeterminate
    /// afterwards, with process exit the only safe next step: every later call returns
    /// [`EngineError::Indeterminate`].
    pub fn end_session<H: DebugHost + ?Sized>(
        &mut self,
        host: &mut H,
        flags: EndSessionFlags,
    ) -> Result<(), EngineError> {
        self.usable()?;
        let Some(partition) = self.session else {
            return Err(EngineError::NoSession);
        };
        match flags {
            EndSessionFlags::Disconnect => return Ok(()),
            EndSessionFlags::Passive => self.end(SessionStatus::EndSessionPassive),
            EndSessionFlags::ActiveDetach => self.end(SessionStatus::EndSessionActiveDetach),
            EndSessionFlags::ActiveTerminate => {
                host.terminate(partition)?;
                self.end(SessionStatus::EndSessionActiveTerminate);
            }
            EndSessionFlags::Reentrant => {
                self.session = None;
                self.indeterminate = true;
            }
        }
        Ok(())
    }

    /// Reacts to a partition lifecycle event. Without an active session nothing is reported.
    ///
    /// The session's own partition: reset ends the session with `REBOOT`, then, as kd reconnects after a
    /// target reboot, a new session starts (`ACTIVE`) if the channel is still usable; saved → `HIBERNATE`;
    /// ran to completion → `END`; terminated from outside the engine, or its channel id changed →
    /// `FAILURE`. After any other event, of any partition, a channel that is no longer usable (the
    /// Debugging privilege revoked, debugging disabled, or another partition taking the same channel id)
    /// is `FAILURE`; a change that leaves it usable reports nothing.
    pub fn on_event<H: DebugHost + ?Sized>(&mut self, host: &H, event: &PartitionEvent) {
        let Some(partition) = self.session else {
            return;
        };
        let status = match *event {
            PartitionEvent::Reset(p) if p == partition => SessionStatus::Reboot,
            PartitionEvent::Saved(p) if p == partition => SessionStatus::Hibernate,
            PartitionEvent::RanToCompletion(p) if p == partition => SessionStatus::End,
            PartitionEvent::Terminated(p) if p == partition => SessionStatus::Failure,
            PartitionEvent::ChannelIdChanged { partition: p, .. } if p == partition => SessionStatus::Failure,
            _ if host.channel_usable(partition).is_err() => SessionStatus::Failure,
            _ => return,
        };
        self.end(status);
        if status == SessionStatus::Reboot && host.channel_usable(partition).is_ok() {
            self.session = Some(partition);
            self.report(SessionStatus::Active);
        }
    }

    /// The host reads what the guest posted (`HvPostDebugData`).
    pub fn read<H: DebugHost + ?Sized>(&mut self, host: &mut H, buf: &mut [u8]) -> Result<usize, EngineError> {
        self.usable()?;
        let partition = self.session.ok_or(EngineError::NoSession)?;
        Ok(host.receive(partition, buf)?)
    }

    /// The host sends bytes to the guest (`HvRetrieveDebugData` reads them); returns the bytes dropped.
    pub fn send<H: DebugHost + ?Sized>(&mut self, host: &mut H, data: &[u8]) -> Result<usize, EngineError> {
        self.usable()?;
        let partition = self.session.ok_or(EngineError::NoSession)?;
        Ok(host.deliver(partition, data)?)
    }

    fn usable(&self) -> Result<(), EngineError> {
        if self.indeterminate {
            Err(EngineError::Indeterminate)
        } else {
            Ok(())
        }
    }

    fn end(&mut self, status: SessionStatus) {
        self.session = None;
        self.report(status);
    }

    fn session_status(&mut self, status: SessionStatus) {
        for (i, r) in self.callbacks.iter_mut().enumerate() {
            if r.mask.contains(EventInterest::SESSION_STATUS) {
                let result = r.callbacks.session_status(status);
                self.trace.push(Event::SessionStatus {
                    callbacks: i,
                    status,
                    result,
                });
            }
        }
    }

    fn notify_extensions(&mut self, notify: NotifySession) {
        for (i, l) in self.extensions.iter_mut().enumerate().filter(|(_, l)| l.has_notify) {
            l.extension.notify(notify, 0);
            self.trace.push(Event::ExtensionNotify {
                extension: i,
                notify,
                argument: 0,
            });
        }
    }

    /// Delivers one status change in the documented order.
    fn report(&mut self, status: SessionStatus) {
        if status == SessionStatus::Active {
            self.session_status(status);
            self.notify_extensions(NotifySession::Active);
            for (i, r) in self.callbacks.iter_mut().enumerate() {
                if r.mask.contains(EventInterest::CHANGE_DEBUGGEE_STATE) {
                    let (flags, argument) = (ChangeDebuggeeState::ALL, 0);
                    let result = r.callbacks.change_debuggee_state(flags, argument);
                    self.trace.push(Event::ChangeDebuggeeState {
                        callbacks: i,
                        flags,
                        argument,
                        result,
                    });
                }
            }
        } else {
            for (i, r) in self.callbacks.iter_mut().enumerate() {
                if r.mask.contains(EventInterest::CHANGE_ENGINE_STATE) {
                    let (flags, argument) = (ChangeEngineState::EXECUTION_STATUS, DEBUG_STATUS_NO_DEBUGGEE);
                    let result = r.callbacks.change_engine_state(flags, argument);
                    self.trace.push(Event::ChangeEngineState {
                        callbacks: i,
                        flags,
                        argument,
                        result,
                    });
                }
            }
            self.session_status(status);
            self.notify_extensions(NotifySession::Inactive);
        }
    }
}
