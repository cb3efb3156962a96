#===- AutoGLMPassTablegen.cmake - pass declarations that count statistics -===#
#
# autoglm_pass_tablegen(<output> <mlir-tblgen args...>) runs
# `mlir_tablegen(<output> -gen-pass-decls ...)` and rewrites the generated
# `::mlir::Pass::Statistic` members into `::mlir::autoglm::PassStatistic`
# (passes/PassStatistics.h): Debian's release libMLIR makes the former a
# no-op, the latter counts and --mlir-pass-statistics prints it. Use it
# instead of mlir_tablegen for every Passes.td, in tree and in plug-ins;
# `LLVM_TARGET_DEFINITIONS` names the .td as for mlir_tablegen, and the
# output joins TABLEGEN_OUTPUT for add_public_tablegen_target.
#
#===----------------------------------------------------------------------===#

set(AUTOGLM_PASS_STATISTICS_SCRIPT
  "${CMAKE_CURRENT_LIST_DIR}/RewritePassStatistics.cmake")

function(autoglm_pass_tablegen ofn)
  mlir_tablegen(${ofn}.upstream ${ARGN})
  set(upstream "${CMAKE_CURRENT_BINARY_DIR}/${ofn}.upstream")
  set(output "${CMAKE_CURRENT_BINARY_DIR}/${ofn}")
  add_custom_command(OUTPUT "${output}"
    COMMAND ${CMAKE_COMMAND} -DINPUT=${upstream} -DOUTPUT=${output}
            -P "${AUTOGLM_PASS_STATISTICS_SCRIPT}"
    DEPENDS "${upstream}" "${AUTOGLM_PASS_STATISTICS_SCRIPT}"
    COMMENT "Counting pass statistics in ${ofn}")
  set(TABLEGEN_OUTPUT ${TABLEGEN_OUTPUT} "${output}" PARENT_SCOPE)
endfunction()
