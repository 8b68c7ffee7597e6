import { ValidationError } from 'class-validator';
import { RequestValidationError } from './request-validation.error';

const failure = (property: string, value: unknown, constraints: Record<string, string>): ValidationError =>
  Object.assign(new ValidationError(), { property, value, constraints, children: [] });

describe('RequestValidationError', () => {
  it('never repeats the value of a secret field, whatever the message template holds', () => {
    const error = RequestValidationError.fromValidationErrors([
      failure('newPassword', 'hunter2-hunter2', { custom: 'hunter2-hunter2 is too common' }),
      failure('refreshToken', 'tok-123456', { custom: 'tok-123456 is unknown' }),
      failure('name', 'Ada', { isLength: 'name must be shorter' }),
    ]);
    expect(JSON.stringify(error.errors)).not.toMatch(/hunter2|tok-123456/);
    expect(error.errors[2]).toEqual({ field: 'name', messages: ['name must be shorter'] });
  });

  it('redacts the value where it stands alone, not inside the words of the message', () => {
    const error = RequestValidationError.fromValidationErrors([
      failure('newPassword', 'password', {
        policy: 'newPassword is one of the most common passwords; choose another',
        echo: 'password (password) is not allowed',
      }),
    ]);
    expect(error.errors[0].messages).toEqual([
      'newPassword is one of the most common passwords; choose another',
      '(redacted) ((redacted)) is not allowed',
    ]);
  });

  it('names an unknown property only when it looks like a name', () => {
    const error = RequestValidationError.fromValidationErrors([
      failure('isAdmin', true, { whitelistValidation: 'property isAdmin should not exist' }),
      failure('{"password":"s3cret"}', '', {
        whitelistValidation: 'property {"password":"s3cret"} should not exist',
      }),
    ]);
    expect(error.errors).toEqual([
      { field: 'isAdmin', messages: ['property isAdmin should not exist'] },
      { field: '(unnamed property)', messages: ['property (unnamed property) should not exist'] },
    ]);
  });
});
