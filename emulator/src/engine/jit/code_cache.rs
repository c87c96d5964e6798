//! The code cache: host code of translated blocks, in one Cranelift JIT module, with a size
//! limit. Eviction is wholesale (as QEMU's when its translation buffer fills): when the code
//! reaches the limit, every translation is dropped and the module's memory freed at once, and
//! blocks that are still hot are translated again. Simple, bounded, and no dangling entry
//! can survive it: the runtime forgets every function pointer before the memory goes.

use super::compile;
use super::ctx::NativeFn;
use cranelift_codegen::ir::{types, AbiParam};
use cranelift_codegen::settings::{self, Configurable};
use cranelift_codegen::{isa::OwnedTargetIsa, Context};
use cranelift_frontend::FunctionBuilderContext;
use cranelift_jit::{JITBuilder, JITModule};
use cranelift_module::{default_libcall_names, Module};

/// Host code for translated blocks.
pub(super) struct CodeCache {
    /// The module holding the code (`None` only while being replaced).
    module: Option<JITModule>,
    /// The target (kept to start a new module after a flush).
    isa: OwnedTargetIsa,
    /// Reused for every function.
    ctx: Context,
    /// Reused for every function.
    fbc: FunctionBuilderContext,
    /// Bytes of host code in the module.
    pub bytes: usize,
    /// Functions in the module.
    pub functions: usize,
    /// The size limit in bytes.
    pub limit: usize,
}

/// The host's code generator, or why there is none.
fn host_isa() -> Result<OwnedTargetIsa, String> {
    let mut flags = settings::builder();
    let set = |f: &mut settings::Builder, k, v| f.set(k, v).map_err(|e| e.to_string());
    set(&mut flags, "opt_level", "speed")?;
    // The IR is built by one small generator checked by the differential tests; verifying
    // every function again costs a third of compile time.
    set(&mut flags, "enable_verifier", "false")?;
    set(&mut flags, "use_colocated_libcalls", "false")?;
    set(&mut flags, "is_pic", "false")?;
    let builder = cranelift_native::builder().map_err(|e| e.to_string())?;
    builder
        .finish(settings::Flags::new(flags))
        .map_err(|e| e.to_string())
}

/// A new module for `isa`.
fn module(isa: &OwnedTargetIsa) -> JITModule {
    JITModule::new(JITBuilder::with_isa(isa.clone(), default_libcall_names()))
}

impl CodeCache {
    /// An empty cache of at most `limit` bytes, or why the host has no JIT.
    pub fn new(limit: usize) -> Result<CodeCache, String> {
        let isa = host_isa()?;
        let module = module(&isa);
        let ctx = module.make_context();
        Ok(CodeCache {
            module: Some(module),
            isa,
            ctx,
            fbc: FunctionBuilderContext::new(),
            bytes: 0,
            functions: 0,
            limit,
        })
    }

    /// Is the cache at its limit (the next translation must flush it first)?
    pub fn is_full(&self) -> bool {
        self.bytes >= self.limit
    }

    /// Drops every translation and frees their memory.
    ///
    /// # Safety
    ///
    /// No pointer to a function of this cache is called afterwards (the runtime forgets them
    /// all first).
    pub unsafe fn flush(&mut self) {
        if let Some(old) = self.module.replace(module(&self.isa)) {
            // SAFETY: the caller's promise: nothing calls into this module's code again.
            unsafe { old.free_memory() };
        }
        self.bytes = 0;
        self.functions = 0;
    }

    /// Compiles `block` (at virtual page `vpage`, paging `paging`, in `ring`; leaving before
    /// debugger breakpoints `breaks` as they say) to host code:
    /// its function (its size added to `bytes`), or `None` when it is not worth one (too few
    /// instructions before one left to the threaded engine), or why Cranelift refused it.
    pub fn compile(
        &mut self,
        segs: &[compile::Segment],
        paging: bool,
        breaks: &[compile::BreakAt],
    ) -> Result<Option<NativeFn>, String> {
        let module = self.module.as_mut().expect("a module");
        let frontend = module.target_config();
        let ptr = frontend.pointer_type();
        let call_conv = module.isa().default_call_conv();
        self.ctx.clear();
        let sig = &mut self.ctx.func.signature;
        sig.call_conv = call_conv;
        sig.params.push(AbiParam::new(ptr));
        sig.returns.push(AbiParam::new(types::I32));
        if compile::build(
            &mut self.ctx.func,
            &mut self.fbc,
            segs,
            paging,
            breaks,
            frontend,
            call_conv,
        )
        .is_none()
        {
            return Ok(None);
        }
        // `RINGFORT_JIT_DUMP=1`: each function's IR and host code on stderr (docs/jit.md).
        let dump = std::env::var_os("RINGFORT_JIT_DUMP").is_some();
        if dump {
            self.ctx.set_disasm(true);
            eprintln!(
                "=== block {:#x} (ring {}, {} blocks)\n{}",
                segs[0].entry(),
                segs[0].ring,
                segs.len(),
                self.ctx.func.display()
            );
        }
        let id = module
            .declare_anonymous_function(&self.ctx.func.signature)
            .map_err(|e| e.to_string())?;
        module
            .define_function(id, &mut self.ctx)
            .map_err(|e| format!("{e:?}"))?;
        let size = self
            .ctx
            .compiled_code()
            .map_or(0, |c| c.code_buffer().len());
        if dump {
            if let Some(c) = self.ctx.compiled_code() {
                eprintln!("--- host code\n{}", c.vcode.clone().unwrap_or_default());
            }
        }
        module.clear_context(&mut self.ctx);
        module.finalize_definitions().map_err(|e| e.to_string())?;
        let code = module.get_finalized_function(id);
        self.bytes += size;
        self.functions += 1;
        // SAFETY: `code` is the function just defined with the signature of `NativeFn` (one
        // pointer-sized parameter, an i32 result, the host's default calling convention,
        // which is `extern "C"`'s).
        let f = unsafe { std::mem::transmute::<*const u8, NativeFn>(code) };
        Ok(Some(f))
    }
}

impl Drop for CodeCache {
    fn drop(&mut self) {
        if let Some(m) = self.module.take() {
            // SAFETY: the cache is going: its owner (the JIT) forgets its functions with it.
            unsafe { m.free_memory() };
        }
    }
}
