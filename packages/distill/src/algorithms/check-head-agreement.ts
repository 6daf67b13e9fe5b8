/**
 * The config check of logit distillation: when a distillation loss pairs a student head output with the
 * teacher's (recorders whose `source` is in `bbox_head`), both heads must predict the same classes from the same
 * anchors, or the KL compares unrelated rows (or fails on shapes mid-training). Runs with every config
 * validation once @detlab/distill is imported, before anything is built; an issue names both config paths as
 * the user wrote them.
 *
 * @example
 * // model.teacher.bbox_head.num_classes: 80 classes, but model.bbox_head.num_classes has 10: logit distillation
 * //   (kd_loss) compares teacher and student class scores anchor by anchor, so both heads need the same classes
 */
import { MODELS, isPlainObject, registerConfigCheck, type ConfigCheckContext, type ValidationIssue } from '@detlab/core';

registerConfigCheck(checkHeadAgreement);

/** Every class or anchor-layout disagreement between the distilled heads of a (canonical) config. */
export function checkHeadAgreement(config: Record<string, unknown>, { pathBack }: ConfigCheckContext = { pathBack: (p) => p }): ValidationIssue[] {
  const model = config.model;
  if (!isPlainObject(model) || !isPlainObject(model.architecture) || !isPlainObject(model.teacher) || !isPlainObject(model.distiller)) return [];
  const studentHead = model.architecture.bbox_head;
  const teacherHead = model.teacher.bbox_head;
  if (!isPlainObject(studentHead) || !isPlainObject(teacherHead)) return [];
  const issues: ValidationIssue[] = [];
  for (const lossName of headDistillingLosses(model.distiller)) {
    const lossPath = pathBack(`model.distiller.distill_losses.${lossName}`);
    const studentPath = (key: string) => pathBack(`model.architecture.bbox_head.${key}`);
    const teacherPath = (key: string) => pathBack(`model.teacher.bbox_head.${key}`);
    if (studentHead.num_classes !== teacherHead.num_classes) {
      issues.push({
        path: teacherPath('num_classes'),
        message: `${String(teacherHead.num_classes)} classes, but ${studentPath('num_classes')} has ${String(studentHead.num_classes)}: logit distillation (${lossPath}) compares teacher and student class scores anchor by anchor, so both heads need the same classes`,
      });
    }
    const studentAnchors = anchorLayout(studentHead);
    const teacherAnchors = anchorLayout(teacherHead);
    if (studentAnchors !== teacherAnchors) {
      issues.push({
        path: teacherPath('anchor_generator'),
        message: `anchor layout ${teacherAnchors} differs from ${studentPath('anchor_generator')} ${studentAnchors}: logit distillation (${lossPath}) pairs teacher and student anchors one to one, so both need the same strides, scales and ratios`,
      });
    }
    break; // one report per pair of heads is enough
  }
  return issues;
}

/** Names of the losses that read a student and a teacher recorder placed in `bbox_head`. */
function headDistillingLosses(distiller: Record<string, unknown>): string[] {
  const sources = (recorders: unknown): Record<string, string> =>
    isPlainObject(recorders)
      ? Object.fromEntries(Object.entries(recorders).map(([name, r]) => [name, isPlainObject(r) && typeof r.source === 'string' ? r.source : '']))
      : {};
  const student = sources(distiller.student_recorders);
  const teacher = sources(distiller.teacher_recorders);
  const inHead = (source: string | undefined) => source === 'bbox_head' || Boolean(source?.startsWith('bbox_head.'));
  const mappings = isPlainObject(distiller.loss_forward_mappings) ? distiller.loss_forward_mappings : {};
  return Object.entries(mappings)
    .filter(([, args]) => {
      const items = isPlainObject(args) ? Object.values(args).filter(isPlainObject) : [];
      const fromStudent = items.some((i) => i.from_student === true && inHead(student[String(i.recorder)]));
      const fromTeacher = items.some((i) => i.from_student === false && inHead(teacher[String(i.recorder)]));
      return fromStudent && fromTeacher;
    })
    .map(([name]) => name);
}

/** The head's anchor generator with its class defaults filled in, as comparable text. */
function anchorLayout(head: Record<string, unknown>): string {
  const entry = typeof head.type === 'string' ? safeEntry(head.type) : undefined;
  const { type: _type, _scope_: _scope, ...options } = head;
  const parsed = entry?.schema?.safeParse(options);
  const generator = parsed?.success && isPlainObject(parsed.data) ? parsed.data.anchor_generator : head.anchor_generator;
  return stableText(generator ?? null);
}

function safeEntry(type: string) {
  try {
    return MODELS.getEntry(type);
  } catch {
    return undefined;
  }
}

function stableText(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableText).join(', ')}]`;
  if (isPlainObject(value)) {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${k}: ${stableText(value[k])}`)
      .join(', ')}}`;
  }
  return JSON.stringify(value);
}
