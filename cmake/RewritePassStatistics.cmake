#===- RewritePassStatistics.cmake - cmake -P script ----------------------===#
#
# -DINPUT=<mlir-tblgen -gen-pass-decls output> -DOUTPUT=<file>: replaces the
# statistic member type (see AutoGLMPassTablegen.cmake). The including file
# must include passes/PassStatistics.h first.
#
#===----------------------------------------------------------------------===#

file(READ "${INPUT}" text)
string(REPLACE "::mlir::Pass::Statistic " "::mlir::autoglm::PassStatistic "
       text "${text}")
file(WRITE "${OUTPUT}" "${text}")
