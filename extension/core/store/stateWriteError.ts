import * as path from 'node:path';
import { ErrorCode, FleetError, describeError, isFleetError } from '../errors';

/**
 * The OS errors that mean "this disk or folder will not take the write" (seed 004 §5: a write error blocks
 * execution and asks a person). They are not FleetAI's bugs and retrying at once does not help; a person frees
 * space, remounts, or fixes permissions, and the work goes on.
 */
export const STATE_WRITE_OS_CODES = ['EROFS', 'ENOSPC', 'EACCES', 'EPERM', 'EIO', 'EDQUOT'] as const;
export type StateWriteOsCode = (typeof STATE_WRITE_OS_CODES)[number];

const MEANINGS: Record<StateWriteOsCode, { en: string; zh: string }> = {
  EROFS: { en: 'the file system is read-only', zh: '文件系统为只读' },
  ENOSPC: { en: 'the disk is full', zh: '磁盘已满' },
  EACCES: { en: 'permission denied', zh: '没有写权限' },
  EPERM: { en: 'operation not permitted', zh: '操作不被允许' },
  EIO: { en: 'an I/O error of the disk', zh: '磁盘 I/O 错误' },
  EDQUOT: { en: 'the disk quota is used up', zh: '磁盘配额已用完' },
};

/** The OS code of `error` or of any error it was caused by, when it is one of STATE_WRITE_OS_CODES. */
export function stateWriteOsCode(error: unknown): StateWriteOsCode | undefined {
  for (let at: unknown = error, depth = 0; at && depth < 8; depth++) {
    const code = (at as { code?: unknown }).code;
    if (typeof code === 'string' && (STATE_WRITE_OS_CODES as readonly string[]).includes(code))
      return code as StateWriteOsCode;
    const osCode = (at as { details?: { osCode?: unknown } }).details?.osCode;
    if (typeof osCode === 'string' && (STATE_WRITE_OS_CODES as readonly string[]).includes(osCode))
      return osCode as StateWriteOsCode;
    at = (at as { cause?: unknown }).cause;
  }
  return undefined;
}

/** What a person does about it, naming the folder: the same words in the error, the notification and the log. */
export function stateWriteFix(file: string, osCode: StateWriteOsCode): { en: string; zh: string } {
  const dir = path.dirname(file);
  switch (osCode) {
    case 'EROFS':
      return {
        en: `remount ${dir} read-write (mount -o remount,rw on its file system) or move the workspace to a writable disk`,
        zh: `将 ${dir} 重新挂载为可读写（mount -o remount,rw），或把工作区移到可写的磁盘`,
      };
    case 'ENOSPC':
    case 'EDQUOT':
      return {
        en: `free space on the disk of ${dir} (df -h ${dir}; fleet backup:list shows old archives you can delete)`,
        zh: `释放 ${dir} 所在磁盘的空间（df -h ${dir}；fleet backup:list 列出可删除的旧备份）`,
      };
    case 'EACCES':
    case 'EPERM':
      return {
        en: `give the user running FleetAI write access to ${dir} (ls -ld ${dir}; chown or chmod u+w)`,
        zh: `让运行 FleetAI 的用户可以写 ${dir}（ls -ld ${dir}；chown 或 chmod u+w）`,
      };
    case 'EIO':
      return {
        en: `check the disk of ${dir} (dmesg, fsck when unmounted); restore from .fleetai/backups if files are damaged`,
        zh: `检查 ${dir} 所在磁盘（dmesg，卸载后 fsck）；文件损坏时从 .fleetai/backups 恢复`,
      };
  }
}

/** E_STATE_WRITE naming the file and the OS code; the message says what it means and what to do. */
export function stateWriteError(file: string, error: unknown): FleetError {
  const osCode = stateWriteOsCode(error) ?? 'EIO';
  const meaning = MEANINGS[osCode];
  const fix = stateWriteFix(file, osCode);
  return new FleetError(
    ErrorCode.StateWrite,
    `Could not write ${file}: ${osCode}, ${meaning.en} (${describeError(error)}). The saved file is unchanged. ` +
      `Fix: ${fix.en} / 无法写入 ${file}：${meaning.zh}，已保存的文件未改变。处理：${fix.zh}`,
    { file, osCode },
    { cause: error },
  );
}

/** The E_STATE_WRITE error in `error` or its causes (callers wrap errors), or undefined. */
export function findStateWriteError(error: unknown): FleetError | undefined {
  for (let at: unknown = error, depth = 0; at && depth < 8; depth++) {
    if (isFleetError(at) && at.code === ErrorCode.StateWrite) return at;
    at = (at as { cause?: unknown }).cause;
  }
  return undefined;
}

export interface StateWriteFacts {
  file: string;
  osCode: StateWriteOsCode;
  message: string;
}

/** The file and OS code of an E_STATE_WRITE error, for notifications, blockers and the operations log. */
export function stateWriteFacts(error: FleetError): StateWriteFacts {
  const file = typeof error.details?.file === 'string' ? error.details.file : '(unknown file)';
  const osCode = stateWriteOsCode(error) ?? 'EIO';
  return { file, osCode, message: error.message };
}
